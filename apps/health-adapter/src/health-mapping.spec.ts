import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Bundle, Consent, Organization, Patient, RelatedPerson } from '@medplum/fhirtypes';
import { SafeguardingNotification, validateMessage } from '#contracts';
import { readReferral, type HealthReferral } from './fhir-referral.js';
import { ODS_ROLE_GP_PRACTICE, ODS_ROLE_SYSTEM } from './fhir-systems.js';
import { CONCERN_FACTORS, PRIORITY_URGENCY, referralSourceOf, toCanonical } from './health-mapping.js';

const EXAMPLE = resolve(import.meta.dirname, '../examples/safeguarding-referral.bundle.json');
const example = (): Bundle => JSON.parse(readFileSync(EXAMPLE, 'utf8')) as Bundle;
const ids = { notificationId: '6f1d3b0e-8a53-5c1e-9d4a-2b7f0c9e1a11', correlationId: '0b8e7f2c-3d4a-4e5f-8a9b-1c2d3e4f5a6b', sourceOrganisation: 'RJ1' };

function resourceOf<T>(bundle: Bundle, type: string): T {
  return bundle.entry!.find((e) => e.resource?.resourceType === type)!.resource as T;
}

function referralOf(bundle: Bundle): HealthReferral {
  const read = readReferral(bundle);
  if (!read.ok) throw new Error(JSON.stringify(read.issues));
  return read.referral;
}

describe('health referral to canonical notification', () => {
  it('maps the README example to a valid canonical notification, losing nothing it says', async () => {
    const message = await validateMessage(SafeguardingNotification, toCanonical(referralOf(example()), ids));
    expect(message).toMatchObject({
      sourceAgency: 'health',
      sourceOrganisation: 'RJ1',
      partnerReference: 'https://fhir.example-hospitals.nhs.uk/Id/safeguarding-referral|SGR-2026-004711',
      reportedAt: '2026-11-20T14:32:00.000Z',
      categories: ['18A'],
      senderUrgency: 'amber',
      referralSource: '3F',
      consent: { status: 'not_sought', notSoughtReason: 'risk_of_significant_harm_to_child' },
      lawfulBasis: { article6: 'public_task', article9: 'dpa2018_sch1_para18_safeguarding', statutoryGateways: ['children_act_2004_s11'] },
    });
    expect(message.subjects.children).toEqual([
      expect.objectContaining({
        givenName: 'Poppy',
        familyName: 'Sample',
        dateOfBirth: '2026-08-02',
        nhsNumber: '9990001014',
        address: { lines: ['12 Example Road', 'Exampletown'], postcode: 'EX2 4QT' },
      }),
    ]);
    expect(message.subjects.adults).toEqual([
      expect.objectContaining({ givenName: 'Jade', familyName: 'Sample', dateOfBirth: '2003-04-19', role: 'parent', relationshipToChild: 'mother' }),
    ]);
    expect(message.narrative).toMatch(/^Poppy \(15 weeks\)/);
    expect(message.details).toMatchObject({
      agency: 'health',
      version: 1,
      communicationIdentifier: { system: 'https://fhir.example-hospitals.nhs.uk/Id/safeguarding-referral', value: 'SGR-2026-004711' },
      fhirPriority: 'urgent',
      gpPracticeOdsCode: 'A81001',
      injuryDescriptions: ['Four finger-tip bruises, each about 1 cm, unexplained (left upper arm)'],
      previousUnscheduledAttendances: [
        { attendedOn: '2026-10-03', encounterClass: 'EMER', serviceProviderOdsCode: 'RJ1', reason: 'Crying and not feeding; discharged with advice' },
      ],
    });
  });

  it('reads priority as urgency: routine green, urgent amber, asap and stat red', () => {
    expect(PRIORITY_URGENCY).toEqual({ routine: 'green', urgent: 'amber', asap: 'red', stat: 'red' });
    for (const priority of ['routine', 'urgent', 'asap', 'stat'] as const) {
      const bundle = example();
      resourceOf<{ priority: string }>(bundle, 'Communication').priority = priority;
      expect(toCanonical(referralOf(bundle), ids).senderUrgency).toBe(PRIORITY_URGENCY[priority]);
    }
  });

  it('maps every concern code to a DfE assessment factor, without repeats', () => {
    const bundle = example();
    resourceOf<{ category: unknown[] }>(bundle, 'Communication').category = [
      { coding: Object.keys(CONCERN_FACTORS).map((code) => ({ system: 'https://mash.example.gov.uk/fhir/CodeSystem/safeguarding-concern', code })) },
    ];
    const categories = toCanonical(referralOf(bundle), ids).categories;
    expect(categories).toEqual([...new Set(Object.values(CONCERN_FACTORS))]);
    expect(categories).toEqual(expect.arrayContaining(['18A', '16A', '4B', '1B', '2B']));
  });

  it('is 3A only for a sender that is the credential\'s own organisation and declares itself a GP practice', () => {
    const bundle = example();
    const sender = resourceOf<Organization>(bundle, 'Organization');
    sender.identifier = [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'A81001' }];
    sender.type = [{ coding: [{ system: ODS_ROLE_SYSTEM, code: ODS_ROLE_GP_PRACTICE, display: 'GP PRACTICE' }] }];
    const referral = referralOf(bundle);
    expect(referralSourceOf(referral, 'A81001')).toBe('3A');
    // Another organisation's credential cannot make a referral a GP's.
    expect(referralSourceOf(referral, 'RJ1')).toBe('3F');
    expect(referralSourceOf({}, 'A81001')).toBe('3F');
  });

  it('reads an unborn child by the expected date of delivery, without NHS number or birth date', async () => {
    const bundle = example();
    const patient = resourceOf<Patient>(bundle, 'Patient');
    delete patient.identifier;
    delete patient.birthDate;
    patient.name = [{ use: 'official', family: 'Sample', given: ['Baby'] }];
    patient.extension = [{ url: 'https://mash.example.gov.uk/fhir/StructureDefinition/expected-date-of-delivery', valueDate: '2027-02-14' }];
    const message = await validateMessage(SafeguardingNotification, toCanonical(referralOf(bundle), ids));
    expect(message.subjects.children[0]).toMatchObject({ givenName: 'Baby', expectedDateOfDelivery: '2027-02-14' });
    expect(message.subjects.children[0]).not.toHaveProperty('dateOfBirth');
    expect(message.subjects.children[0]).not.toHaveProperty('nhsNumber');
  });

  it('reads consent given by the mother, and consent refused', () => {
    const given = example();
    const consent = resourceOf<Consent>(given, 'Consent');
    delete consent.extension;
    consent.status = 'active';
    consent.performer = [{ reference: 'urn:uuid:6a1f0d2e-5b7c-4e8a-9f10-2c3d4e5f6a03' }];
    expect(toCanonical(referralOf(given), ids).consent).toEqual({ status: 'given', givenBy: 'parent' });

    const refused = example();
    const refusal = resourceOf<Consent>(refused, 'Consent');
    delete refusal.extension;
    refusal.status = 'rejected';
    expect(toCanonical(referralOf(refused), ids).consent).toEqual({ status: 'refused' });
  });

  it('reads an adult who is neither parent nor carer as other, keeping the relationship', () => {
    const bundle = example();
    const adult = resourceOf<RelatedPerson>(bundle, 'RelatedPerson');
    adult.relationship = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: 'GRMTH' }], text: 'maternal grandmother' }];
    expect(toCanonical(referralOf(bundle), ids).subjects.adults[0]).toMatchObject({ role: 'other', relationshipToChild: 'maternal grandmother' });
  });
});

describe('the sender', () => {
  it('may be a PractitionerRole of the organisation, or a Practitioner alone (then the credential names the organisation)', () => {
    const viaRole = example();
    viaRole.entry!.push({
      fullUrl: 'urn:uuid:6a1f0d2e-5b7c-4e8a-9f10-2c3d4e5f6a08',
      resource: { resourceType: 'PractitionerRole', organization: { reference: 'urn:uuid:6a1f0d2e-5b7c-4e8a-9f10-2c3d4e5f6a06' } },
      request: { method: 'POST', url: 'PractitionerRole' },
    });
    resourceOf<{ sender: unknown }>(viaRole, 'Communication').sender = { reference: 'urn:uuid:6a1f0d2e-5b7c-4e8a-9f10-2c3d4e5f6a08' };
    expect(referralOf(viaRole).sender).toEqual({ odsCode: 'RJ1', gpPractice: false });

    const practitioner = example();
    practitioner.entry!.push({
      fullUrl: 'urn:uuid:6a1f0d2e-5b7c-4e8a-9f10-2c3d4e5f6a09',
      resource: { resourceType: 'Practitioner', name: [{ family: 'Nurse', given: ['Named'] }] },
      request: { method: 'POST', url: 'Practitioner' },
    });
    resourceOf<{ sender: unknown }>(practitioner, 'Communication').sender = { reference: 'urn:uuid:6a1f0d2e-5b7c-4e8a-9f10-2c3d4e5f6a09' };
    expect(referralOf(practitioner).sender).toBeUndefined();
  });
});
