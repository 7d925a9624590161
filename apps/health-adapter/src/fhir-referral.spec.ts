import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Bundle, Patient } from '@medplum/fhirtypes';
import { baseDefinitionIssues } from './fhir-definitions.js';
import { readContainedReferral, readReferral } from './fhir-referral.js';
import { capabilityStatement } from './capability-statement.js';

const EXAMPLE = resolve(import.meta.dirname, '../examples/safeguarding-referral.bundle.json');
const example = (): Bundle => JSON.parse(readFileSync(EXAMPLE, 'utf8')) as Bundle;

/** The issues of a refused Bundle, as expression → text. */
function refusal(bundle: unknown): Record<string, string> {
  const read = readReferral(bundle);
  if (read.ok) throw new Error('expected the Bundle to be refused');
  for (const issue of read.issues) expect(issue.expression?.length).toBeGreaterThan(0);
  return Object.fromEntries(read.issues.map((i) => [i.expression![0], i.details!.text!]));
}

const entry = <T>(bundle: Bundle, type: string) => bundle.entry!.find((e) => e.resource?.resourceType === type)!.resource as T;

describe('reading a referral Bundle', () => {
  it('reads the README example', () => {
    expect(readReferral(example())).toMatchObject({ ok: true });
  });

  it('names a wrong NHS number system and a bad check digit by path', () => {
    const bundle = example();
    const patient = entry<Patient>(bundle, 'Patient');
    patient.identifier = [
      { system: 'http://fhir.nhs.uk/Id/nhs-number', value: '9990001014' },
      { system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9990001015' },
    ];
    const issues = refusal(bundle);
    expect(issues['Bundle.entry[1].resource.identifier[0].system']).toMatch(/exactly https:\/\/fhir.nhs.uk\/Id\/nhs-number/);
    expect(issues['Bundle.entry[1].resource.identifier[1].value']).toMatch(/check digit/);
  });

  it('refuses a Bundle without a Patient', () => {
    const bundle = example();
    bundle.entry = bundle.entry!.filter((e) => e.resource?.resourceType === 'Communication');
    expect(refusal(bundle)).toMatchObject({ 'Bundle.entry': expect.stringMatching(/no Patient/) });
  });

  it('refuses what the R4 base definitions refuse, with the library\'s paths', () => {
    const bundle = example();
    const patient = entry<Record<string, unknown>>(bundle, 'Patient');
    patient.birthDate = '2026-02-30x';
    patient.favouriteColour = 'blue';
    const issues = refusal(bundle);
    expect(Object.keys(issues)).toEqual(expect.arrayContaining(['Bundle.entry[1].resource.birthDate', 'Bundle.entry[1].resource.favouriteColour']));
  });

  it('checks the required bindings the library does not: Communication.priority and Patient.gender', () => {
    const bundle = example();
    entry<Record<string, unknown>>(bundle, 'Communication').priority = 'whenever';
    entry<Record<string, unknown>>(bundle, 'Patient').gender = 'girl';
    const issues = refusal(bundle);
    expect(issues['Bundle.entry[0].resource.priority']).toMatch(/routine, urgent, asap, stat/);
    expect(issues['Bundle.entry[1].resource.gender']).toMatch(/male, female, other, unknown/);
  });

  it("applies the hub's rules all at once: identifier, priority, concern, consent", () => {
    const bundle = example();
    const communication = entry<Record<string, unknown>>(bundle, 'Communication');
    delete communication.identifier;
    delete communication.priority;
    communication.category = [{ coding: [{ system: 'https://mash.example.gov.uk/fhir/CodeSystem/safeguarding-concern', code: 'bad-luck' }] }];
    bundle.entry = bundle.entry!.filter((e) => e.resource?.resourceType !== 'Consent');
    const issues = refusal(bundle);
    expect(Object.keys(issues)).toEqual(
      expect.arrayContaining([
        'Bundle.entry[0].resource.identifier',
        'Bundle.entry[0].resource.priority',
        'Bundle.entry[0].resource.category[0].coding[0].code',
        'Bundle.entry',
      ]),
    );
    expect(issues['Bundle.entry']).toMatch(/Consent/);
  });

  it('refuses a body that is not a Bundle, and resources it would drop', () => {
    expect(refusal({ resourceType: 'Communication' })).toEqual({ Bundle: expect.stringMatching(/must be a FHIR Bundle/) });
    const bundle = example();
    bundle.entry!.push({ fullUrl: 'urn:uuid:6a1f0d2e-5b7c-4e8a-9f10-2c3d4e5f6a99', resource: { resourceType: 'Flag', status: 'active', code: { text: 'x' }, subject: { reference: 'urn:uuid:6a1f0d2e-5b7c-4e8a-9f10-2c3d4e5f6a02' } }, request: { method: 'POST', url: 'Flag' } });
    expect(refusal(bundle)).toHaveProperty(['Bundle.entry[7].resource.resourceType']);
  });
});

describe('the CapabilityStatement', () => {
  it('is valid against the R4 base definitions', () => {
    expect(baseDefinitionIssues(capabilityStatement())).toEqual([]);
  });
});

describe('reading a referral from a Communication with contained resources', () => {
  it('reads the same referral as the Bundle, and names problems at Communication paths', async () => {
    const { containedReferral } = await import('../../../test/support/health-referrals.js');
    const bundle = example();
    const fromBundle = readReferral(bundle);
    const contained = containedReferral(bundle);
    expect(fromBundle).toMatchObject({ ok: true, senderAt: 'Bundle.entry[0].resource.sender' });
    expect(readContainedReferral(contained)).toEqual({ ...fromBundle, senderAt: 'Communication.sender' });

    const patient = contained.contained!.find((r) => r.resourceType === 'Patient') as Patient;
    patient.identifier![0].system = 'http://fhir.nhs.uk/Id/nhs-number';
    const read = readContainedReferral(contained);
    expect(read.ok).toBe(false);
    const index = contained.contained!.indexOf(patient);
    expect(!read.ok && read.issues.map((i) => i.expression![0])).toEqual([`Communication.contained[${index}].identifier[0].system`]);
  });
});

describe('what the hub cannot keep whole', () => {
  it('is refused at its path rather than cut', () => {
    const bundle = example();
    const patient = entry<Patient>(bundle, 'Patient');
    patient.birthDate = '2999-01-01';
    entry<Record<string, unknown>>(bundle, 'Communication').sent = '2026-11-20';
    patient.address![0].line = ['1', '2', '3', '4', '5'];
    entry<Record<string, unknown>>(bundle, 'Condition').code = { text: 'x'.repeat(2001) };
    const issues = refusal(bundle);
    expect(Object.keys(issues).sort()).toEqual(
      ['Bundle.entry[0].resource.sent', 'Bundle.entry[1].resource.address[0].line', 'Bundle.entry[1].resource.birthDate', 'Bundle.entry[3].resource.code.text'].sort(),
    );
    expect(issues['Bundle.entry[1].resource.birthDate']).toMatch(/expected date of delivery/);
  });
});
