import type {
  Bundle,
  BundleEntry,
  CodeableConcept,
  Communication,
  Condition,
  Consent,
  Encounter,
  HumanName,
  Identifier,
  Organization,
  OperationOutcomeIssue,
  Patient,
  PractitionerRole,
  Reference,
  RelatedPerson,
  Resource,
} from '@medplum/fhirtypes';
import {
  CONSENT_NOT_SOUGHT_REASONS,
  PARTNER_REFERENCE_PATTERN,
  PERSON_NAME_PATTERN,
  POSTCODE_PATTERN,
  isCalendarDate,
  isInstant,
  isValidNhsNumber,
  normaliseNhsNumber,
  normalisePostcode,
  type ConsentNotSoughtReason,
  type FhirPriority,
} from '#contracts';
import { baseDefinitionIssues, valueSetCodes } from './fhir-definitions.js';
import {
  CONSENT_NOT_SOUGHT_EXTENSION,
  CONSENT_NOT_SOUGHT_SYSTEM,
  EXPECTED_DATE_OF_DELIVERY_EXTENSION,
  NHS_NUMBER_SYSTEM,
  ODS_ORGANISATION_SYSTEM,
  ODS_ROLE_GP_PRACTICE,
  ODS_ROLE_SYSTEM,
  SAFEGUARDING_CONCERN_SYSTEM,
  V3_ROLE_CODE_SYSTEM,
} from './fhir-systems.js';
import { issue } from './operation-outcome.js';

/** Safeguarding concern codes (Communication.category, SAFEGUARDING_CONCERN_SYSTEM) the hub reads. */
export const SAFEGUARDING_CONCERNS = [
  'physical-abuse',
  'neglect',
  'sexual-abuse',
  'emotional-abuse',
  'domestic-abuse',
  'child-sexual-exploitation',
  'child-criminal-exploitation',
  'female-genital-mutilation',
  'self-harm',
  'child-mental-health',
  'child-alcohol-misuse',
  'child-drug-misuse',
  'parental-mental-health',
  'parental-alcohol-misuse',
  'parental-drug-misuse',
  'parental-learning-disability',
  'missing',
  'trafficking',
] as const;
export type SafeguardingConcern = (typeof SAFEGUARDING_CONCERNS)[number];

/** What a RelatedPerson's relationship (v3 RoleCode) says of the adult's role in the child's life. */
/** An identifier system the hub can keep in a reference (`<system>|<value>`): an absolute URI, no spaces or |. */
const IDENTIFIER_SYSTEM_PATTERN = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s|]{1,250}$/;

const PARENT_ROLE_CODES = new Set(['PRN', 'MTH', 'FTH', 'NPRN', 'NMTH', 'NFTH', 'STPPRN', 'STPMTH', 'STPFTH', 'ADOPTP', 'ADOPTM', 'ADOPTF']);
const CARER_ROLE_CODES = new Set(['GUARD', 'FSTPRN']);

/** Resource types a referral Bundle may hold; anything else would be silently dropped, so it is refused. */
const READ_TYPES = new Set(['Communication', 'Patient', 'RelatedPerson', 'Consent', 'Condition', 'Encounter', 'Organization', 'Practitioner', 'PractitionerRole']);

/** Required bindings of the elements the hub reads: the library leaves these to the caller. */
const BINDINGS: Array<{ type: string; element: string; valueSet: string }> = [
  { type: 'Communication', element: 'status', valueSet: 'http://hl7.org/fhir/ValueSet/event-status' },
  { type: 'Communication', element: 'priority', valueSet: 'http://hl7.org/fhir/ValueSet/request-priority' },
  { type: 'Patient', element: 'gender', valueSet: 'http://hl7.org/fhir/ValueSet/administrative-gender' },
  { type: 'RelatedPerson', element: 'gender', valueSet: 'http://hl7.org/fhir/ValueSet/administrative-gender' },
  { type: 'Consent', element: 'status', valueSet: 'http://hl7.org/fhir/ValueSet/consent-state-codes' },
  { type: 'Encounter', element: 'status', valueSet: 'http://hl7.org/fhir/ValueSet/encounter-status' },
];

export interface ReferralPerson {
  givenName: string;
  familyName: string;
  dateOfBirth?: string;
}

/** A health safeguarding referral as read from a FHIR transaction Bundle. */
export interface HealthReferral {
  identifier: { system: string; value: string };
  priority: FhirPriority;
  sent: string;
  concerns: SafeguardingConcern[];
  narrative: string;
  child: ReferralPerson & {
    expectedDateOfDelivery?: string;
    nhsNumber?: string;
    address?: { lines: string[]; postcode?: string };
    gpPracticeOdsCode?: string;
  };
  adults: Array<ReferralPerson & { role: 'parent' | 'carer' | 'other'; relationship?: string }>;
  consent:
    | { status: 'given'; givenBy: 'parent' | 'carer' | 'gillick_competent_child' }
    | { status: 'refused' }
    | { status: 'not_sought'; notSoughtReason: ConsentNotSoughtReason };
  injuries: string[];
  attendances: Array<{ attendedOn: string; encounterClass: string; serviceProviderOdsCode?: string; reason?: string }>;
  /** The sending organisation the Communication names, where it names one. */
  sender?: { odsCode: string; gpPractice: boolean };
}

/** A complete referral, with the path of its sender (for a refusal of the sender) kept apart from its content. */
export type ReadResult = { ok: true; referral: HealthReferral; senderAt?: string } | { ok: false; issues: OperationOutcomeIssue[] };

interface Located<T extends Resource> {
  resource: T;
  /** FHIRPath of the resource in the Bundle. */
  at: string;
  fullUrl?: string;
}

/**
 * Reads a health referral from a FHIR R4 transaction Bundle: first the R4 base
 * definitions (structure, types, cardinality, invariants) and the required
 * bindings of the elements read, then the hub's own rules. Every problem is an
 * issue naming its path; none means the referral is complete.
 */
export function readReferral(body: unknown): ReadResult {
  if (!body || typeof body !== 'object' || (body as Resource).resourceType !== 'Bundle') {
    return { ok: false, issues: [issue('Bundle', 'The body must be a FHIR Bundle (resourceType "Bundle") of type transaction')] };
  }
  const bundle = body as Bundle;
  const located = (bundle.entry ?? []).map((entry: BundleEntry, index) => ({
    resource: entry.resource as Resource,
    at: `Bundle.entry[${index}].resource`,
    fullUrl: entry.fullUrl,
  }));
  const structural = [...baseDefinitionIssues(bundle), ...bindingIssues(located)];
  // Only a structurally valid Bundle is read further: the hub's rules assume R4's shapes.
  if (structural.length) return { ok: false, issues: structural };
  return new ReferralReader(located, { container: 'Bundle.entry', bundle }).read();
}

/**
 * Reads the same referral from a Communication whose other resources are
 * contained in it (referred to as #id), as POST /fhir/Communication takes it.
 */
export function readContainedReferral(body: unknown): ReadResult {
  if (!body || typeof body !== 'object' || (body as Resource).resourceType !== 'Communication') {
    return { ok: false, issues: [issue('Communication', 'The body must be a FHIR Communication (resourceType "Communication") with its resources contained')] };
  }
  const communication = body as Communication;
  const located: Array<Located<Resource>> = [
    { resource: communication, at: 'Communication' },
    ...(communication.contained ?? []).map((resource, index) => ({
      resource,
      at: `Communication.contained[${index}]`,
      ...(resource.id && { fullUrl: `#${resource.id}` }),
    })),
  ];
  const structural = [...baseDefinitionIssues(communication), ...bindingIssues(located)];
  if (structural.length) return { ok: false, issues: structural };
  return new ReferralReader(located, { container: 'Communication.contained' }).read();
}

function bindingIssues(located: Array<Located<Resource>>): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  for (const { resource: found, at } of located) {
    const resource = found as unknown as Record<string, unknown> | undefined;
    for (const binding of BINDINGS) {
      if (resource?.resourceType !== binding.type || resource[binding.element] === undefined) continue;
      const codes = valueSetCodes(binding.valueSet);
      if (!codes.includes(resource[binding.element] as string)) {
        issues.push(
          issue(
            `${at}.${binding.element}`,
            `${binding.type}.${binding.element} must be one of ${codes.join(', ')} (required binding to ${binding.valueSet})`,
            'code-invalid',
          ),
        );
      }
    }
  }
  return issues;
}

class ReferralReader {
  private readonly issues: OperationOutcomeIssue[] = [];
  /** Where the referral's resources are: the Bundle's entries, or the Communication's contained resources. */
  private readonly container: 'Bundle.entry' | 'Communication.contained';
  private readonly bundle?: Bundle;

  constructor(
    private readonly located: Array<Located<Resource>>,
    { container, bundle }: { container: 'Bundle.entry' | 'Communication.contained'; bundle?: Bundle },
  ) {
    this.container = container;
    this.bundle = bundle;
  }

  read(): ReadResult {
    if (this.bundle && this.bundle.type !== 'transaction') this.problem('Bundle.type', 'The Bundle must be of type transaction');
    (this.bundle?.entry ?? []).forEach((entry, index) => {
      if (entry.request && entry.request.method !== 'POST') this.problem(`Bundle.entry[${index}].request.method`, 'Every entry is a new resource: request.method must be POST');
    });
    for (const { resource, at } of this.located) {
      if (resource && !READ_TYPES.has(resource.resourceType)) {
        this.problem(`${at}.resourceType`, `The hub does not read ${resource.resourceType} resources in a referral; send only ${[...READ_TYPES].join(', ')}`);
      }
    }

    const communications = this.ofType<Communication>('Communication');
    if (communications.length !== 1) {
      this.problem(communications.length ? communications[1].at : this.container, 'A referral holds exactly one Communication: the safeguarding referral');
      return this.refused();
    }
    const communication = communications[0];
    const child = this.childOf(communication);
    const referral = {
      identifier: this.identifierOf(communication),
      priority: this.priorityOf(communication),
      sent: this.sentOf(communication),
      concerns: this.concernsOf(communication),
      narrative: this.narrativeOf(communication),
      child: child && this.readChild(child),
      adults: child ? this.adultsOf(child) : [],
      consent: child && this.consentOf(child),
      injuries: child ? this.injuriesOf(child) : [],
      attendances: child ? this.attendancesOf(child) : [],
      sender: this.senderOf(communication),
    };
    if (this.issues.length) return this.refused();
    return { ok: true, referral: referral as HealthReferral, ...(referral.sender && { senderAt: `${communication.at}.sender` }) };
  }

  private refused(): ReadResult {
    return { ok: false, issues: this.issues };
  }

  private problem(expression: string, text: string, code: OperationOutcomeIssue['code'] = 'invalid'): undefined {
    this.issues.push(issue(expression, text, code));
    return undefined;
  }

  private ofType<T extends Resource>(type: T['resourceType']): Array<Located<T>> {
    return this.located.filter((l) => l.resource?.resourceType === type) as Array<Located<T>>;
  }

  /** A reference to another resource: an entry by its fullUrl (urn:uuid:…) or as Type/id, or a contained one as #id. */
  private resolve(reference: Reference | undefined): Located<Resource> | undefined {
    const target = reference?.reference;
    if (!target) return undefined;
    return this.located.find((l) => l.fullUrl === target || (l.resource?.id && `${l.resource.resourceType}/${l.resource.id}` === target));
  }

  private identifierOf({ resource, at }: Located<Communication>): HealthReferral['identifier'] | undefined {
    const identifier = resource.identifier?.[0];
    if (!identifier?.system || !identifier.value) {
      return this.problem(`${at}.identifier`, 'The Communication needs an identifier with system and value: the referral reference, kept for duplicates');
    }
    if (!PARTNER_REFERENCE_PATTERN.test(identifier.value)) {
      return this.problem(`${at}.identifier[0].value`, 'The identifier value must be 1 to 100 letters, digits and / _ . - starting with a letter or digit');
    }
    if (!IDENTIFIER_SYSTEM_PATTERN.test(identifier.system)) {
      return this.problem(`${at}.identifier[0].system`, 'The identifier system must be an absolute URI of at most 250 characters, without spaces or |');
    }
    return { system: identifier.system, value: identifier.value };
  }

  private priorityOf({ resource, at }: Located<Communication>): FhirPriority | undefined {
    if (!resource.priority) return this.problem(`${at}.priority`, 'The Communication needs a priority (routine, urgent, asap or stat): the referrer\'s urgency');
    return resource.priority;
  }

  private sentOf({ resource, at }: Located<Communication>): string | undefined {
    if (!resource.sent) return this.problem(`${at}.sent`, 'The Communication needs sent: when the referral was made');
    // FHIR allows a bare date here; the hub records an instant and will not invent the time of day.
    if (!isInstant(resource.sent)) return this.problem(`${at}.sent`, 'sent must be a date-time with a time zone, e.g. 2026-11-20T14:32:00+00:00');
    if (Date.parse(resource.sent) > Date.now() + 60_000) return this.problem(`${at}.sent`, 'sent must not be in the future');
    return resource.sent;
  }

  private concernsOf({ resource, at }: Located<Communication>): SafeguardingConcern[] {
    const concerns: SafeguardingConcern[] = [];
    (resource.category ?? []).forEach((category, i) =>
      (category.coding ?? []).forEach((coding, j) => {
        if (coding.system !== SAFEGUARDING_CONCERN_SYSTEM) return;
        if (!(SAFEGUARDING_CONCERNS as readonly string[]).includes(coding.code ?? '')) {
          this.problem(`${at}.category[${i}].coding[${j}].code`, `Unknown safeguarding concern ${JSON.stringify(coding.code)}: one of ${SAFEGUARDING_CONCERNS.join(', ')}`, 'code-invalid');
        } else concerns.push(coding.code as SafeguardingConcern);
      }),
    );
    if (!concerns.length && !this.issues.some((i) => i.expression?.[0]?.startsWith(`${at}.category`))) {
      this.problem(`${at}.category`, `The Communication needs at least one category coded in ${SAFEGUARDING_CONCERN_SYSTEM}: the safeguarding concerns`);
    }
    return concerns;
  }

  private narrativeOf({ resource, at }: Located<Communication>): string | undefined {
    const texts = (resource.payload ?? []).map((p) => p.contentString?.trim()).filter((text): text is string => !!text);
    if (!texts.length) return this.problem(`${at}.payload`, 'The Communication needs a payload contentString: the concern in the referrer\'s words');
    const narrative = texts.join('\n\n');
    if (narrative.length > 20_000) return this.problem(`${at}.payload`, 'The payload text may be at most 20000 characters in all');
    return narrative;
  }

  private childOf({ resource, at }: Located<Communication>): Located<Patient> | undefined {
    const patients = this.ofType<Patient>('Patient');
    if (!patients.length) return this.problem(this.container, 'The referral has no Patient: the child the referral is about', 'required');
    const subject = this.resolve(resource.subject);
    if (!subject || subject.resource.resourceType !== 'Patient') {
      return this.problem(`${at}.subject`, 'Communication.subject must reference the child\'s Patient in this referral (by its fullUrl, or #id when contained)');
    }
    for (const other of patients) {
      if (other !== subject) this.problem(other.at, 'Only the child (Communication.subject) may be a Patient; send adults as RelatedPerson');
    }
    return subject as Located<Patient>;
  }

  private personName(names: HumanName[] | undefined, at: string): { givenName: string; familyName: string } | undefined {
    const index = Math.max(0, names?.findIndex((n) => n.use === 'official') ?? 0);
    const name = names?.[index];
    const givenName = name?.given?.join(' ');
    if (!name?.family || !givenName) return this.problem(`${at}.name`, 'A name with family and given is required (the official one, if several)');
    for (const [part, value] of [['family', name.family], ['given', givenName]] as const) {
      if (!PERSON_NAME_PATTERN.test(value) || value.length > 100) {
        this.problem(`${at}.name[${index}].${part}`, 'Names may contain letters, spaces, apostrophes, hyphens and full stops only (up to 100)');
      }
    }
    return { givenName, familyName: name.family };
  }

  private readChild({ resource, at }: Located<Patient>): HealthReferral['child'] | undefined {
    const name = this.personName(resource.name, at);
    const nhsNumber = this.nhsNumberOf(resource, at);
    const eddIndex = resource.extension?.findIndex((e) => e.url === EXPECTED_DATE_OF_DELIVERY_EXTENSION) ?? -1;
    let expectedDateOfDelivery: string | undefined;
    if (eddIndex >= 0) {
      expectedDateOfDelivery = resource.extension![eddIndex].valueDate;
      if (!expectedDateOfDelivery || !isCalendarDate(expectedDateOfDelivery)) {
        this.problem(`${at}.extension[${eddIndex}].valueDate`, 'The expected date of delivery must be a valueDate (YYYY-MM-DD)');
      }
    }
    if (!resource.birthDate && eddIndex < 0) {
      this.problem(`${at}.birthDate`, `The child needs a birthDate, or for an unborn child the extension ${EXPECTED_DATE_OF_DELIVERY_EXTENSION}`, 'required');
    } else if (resource.birthDate) {
      this.checkBirthDate(resource.birthDate, at);
    }
    if (!nhsNumber && eddIndex < 0 && !this.issues.some((i) => i.expression?.[0]?.startsWith(`${at}.identifier`))) {
      this.problem(`${at}.identifier`, `The child needs an NHS number (system ${NHS_NUMBER_SYSTEM}); only an unborn child may be sent without one`, 'required');
    }
    if (!name) return undefined;
    return {
      ...name,
      ...(resource.birthDate && { dateOfBirth: resource.birthDate }),
      ...(expectedDateOfDelivery && { expectedDateOfDelivery }),
      ...(nhsNumber && { nhsNumber }),
      ...this.addressOf(resource, at),
      ...this.gpPracticeOf(resource, at),
    };
  }

  private checkBirthDate(birthDate: string, at: string): void {
    if (!isCalendarDate(birthDate)) this.problem(`${at}.birthDate`, 'birthDate must be a full date (YYYY-MM-DD)');
    else if (Date.parse(birthDate) > Date.now()) this.problem(`${at}.birthDate`, 'birthDate must not be in the future; for an unborn child send the expected date of delivery');
  }

  private nhsNumberOf(patient: Patient, at: string): string | undefined {
    let nhsNumber: string | undefined;
    (patient.identifier ?? []).forEach((identifier: Identifier, i) => {
      if (identifier.system === NHS_NUMBER_SYSTEM) {
        if (!identifier.value || !isValidNhsNumber(identifier.value)) {
          this.problem(`${at}.identifier[${i}].value`, 'The NHS number must be 10 digits with a valid check digit');
        } else nhsNumber = normaliseNhsNumber(identifier.value);
      } else if (/nhs-?number/i.test(identifier.system ?? '')) {
        // A near miss (http, an old domain) would otherwise leave the child unmatched without a word.
        this.problem(`${at}.identifier[${i}].system`, `An NHS number's system must be exactly ${NHS_NUMBER_SYSTEM}`);
      }
    });
    return nhsNumber;
  }

  private addressOf(patient: Patient, at: string): { address?: { lines: string[]; postcode?: string } } {
    const address = patient.address?.find((a) => a.use !== 'old') ?? patient.address?.[0];
    if (!address?.line?.length) return {};
    const index = patient.address!.indexOf(address);
    let postcode: string | undefined;
    if (address.postalCode) {
      postcode = normalisePostcode(address.postalCode);
      if (!POSTCODE_PATTERN.test(postcode)) this.problem(`${at}.address[${index}].postalCode`, 'postalCode must be a UK postcode');
    }
    const lines = [...address.line, ...(address.city ? [address.city] : [])];
    // Refused rather than cut: the hub keeps up to five lines of up to 100 characters.
    if (lines.length > 5) this.problem(`${at}.address[${index}].line`, 'An address may have at most five lines, the city included');
    lines.forEach((line, i) => {
      if (line.length > 100) this.problem(`${at}.address[${index}].line[${i}]`, 'An address line may be at most 100 characters');
    });
    return { address: { lines, ...(postcode && { postcode }) } };
  }

  private gpPracticeOf(patient: Patient, at: string): { gpPracticeOdsCode?: string } {
    for (const [i, gp] of (patient.generalPractitioner ?? []).entries()) {
      const identifier = gp.identifier ?? (this.resolve(gp)?.resource as Organization | undefined)?.identifier?.find((id) => id.system === ODS_ORGANISATION_SYSTEM);
      if (identifier?.system === ODS_ORGANISATION_SYSTEM && identifier.value && /^[A-Z0-9]{3,10}$/.test(identifier.value)) {
        return { gpPracticeOdsCode: identifier.value };
      }
      this.problem(`${at}.generalPractitioner[${i}]`, `The GP practice must be identified by its ODS code (system ${ODS_ORGANISATION_SYSTEM})`);
    }
    return {};
  }

  private refersToChild(reference: Reference | undefined, child: Located<Patient>): boolean {
    return this.resolve(reference) === child;
  }

  private adultsOf(child: Located<Patient>): HealthReferral['adults'] {
    return this.ofType<RelatedPerson>('RelatedPerson').flatMap(({ resource, at }) => {
      if (!this.refersToChild(resource.patient, child)) this.problem(`${at}.patient`, 'RelatedPerson.patient must reference the child\'s Patient entry');
      const name = this.personName(resource.name, at);
      if (resource.birthDate) this.checkBirthDate(resource.birthDate, at);
      if (!name) return [];
      const codes = (resource.relationship ?? []).flatMap((r) => (r.coding ?? []).filter((c) => c.system === V3_ROLE_CODE_SYSTEM).map((c) => c.code ?? ''));
      const role = codes.some((c) => PARENT_ROLE_CODES.has(c)) ? 'parent' : codes.some((c) => CARER_ROLE_CODES.has(c)) ? 'carer' : 'other';
      const relationship = resource.relationship?.map(conceptText).find(Boolean);
      if (relationship && relationship.length > 100) this.problem(`${at}.relationship`, 'The relationship text may be at most 100 characters');
      return [{ ...name, ...(resource.birthDate && { dateOfBirth: resource.birthDate }), role, ...(relationship && { relationship }) }];
    });
  }

  private consentOf(child: Located<Patient>): HealthReferral['consent'] | undefined {
    const consents = this.ofType<Consent>('Consent');
    if (consents.length !== 1) {
      return this.problem(consents[1]?.at ?? this.container, 'A referral holds exactly one Consent: the consent decision for this share (given, refused, or not sought and why)', 'required');
    }
    const { resource, at } = consents[0];
    if (!this.refersToChild(resource.patient, child)) this.problem(`${at}.patient`, 'Consent.patient must reference the child\'s Patient entry');
    const notSoughtIndex = resource.extension?.findIndex((e) => e.url === CONSENT_NOT_SOUGHT_EXTENSION) ?? -1;
    if (notSoughtIndex >= 0) {
      const coding = resource.extension![notSoughtIndex].valueCoding;
      if (coding?.system !== CONSENT_NOT_SOUGHT_SYSTEM || !(CONSENT_NOT_SOUGHT_REASONS as readonly string[]).includes(coding.code ?? '')) {
        return this.problem(
          `${at}.extension[${notSoughtIndex}].valueCoding`,
          `Why consent was not sought: a valueCoding in ${CONSENT_NOT_SOUGHT_SYSTEM}, one of ${CONSENT_NOT_SOUGHT_REASONS.join(', ')}`,
          'code-invalid',
        );
      }
      if (resource.status === 'active') return this.problem(`${at}.status`, 'A Consent that was not sought cannot be active: use status proposed');
      return { status: 'not_sought', notSoughtReason: coding.code as ConsentNotSoughtReason };
    }
    const refused = resource.status === 'rejected' || resource.provision?.type === 'deny';
    if (refused) return { status: 'refused' };
    if (resource.status !== 'active') {
      return this.problem(`${at}.status`, `Consent.status must be active (given) or rejected (refused), or carry ${CONSENT_NOT_SOUGHT_EXTENSION} (not sought)`);
    }
    const giver = this.resolve(resource.performer?.[0]);
    if (giver === child) return { status: 'given', givenBy: 'gillick_competent_child' };
    if (giver?.resource.resourceType === 'RelatedPerson') {
      const codes = ((giver.resource as RelatedPerson).relationship ?? []).flatMap((r) => (r.coding ?? []).map((c) => c.code ?? ''));
      if (codes.some((c) => PARENT_ROLE_CODES.has(c))) return { status: 'given', givenBy: 'parent' };
      if (codes.some((c) => CARER_ROLE_CODES.has(c))) return { status: 'given', givenBy: 'carer' };
    }
    return this.problem(`${at}.performer`, 'Consent given: performer must reference who gave it, the child\'s Patient or a parent or carer RelatedPerson (relationship coded in v3 RoleCode)');
  }

  private injuriesOf(child: Located<Patient>): string[] {
    return this.ofType<Condition>('Condition').flatMap(({ resource, at }) => {
      if (!this.refersToChild(resource.subject, child)) this.problem(`${at}.subject`, 'Condition.subject must reference the child\'s Patient entry');
      const what = conceptText(resource.code);
      if (!what) return this.problem(`${at}.code`, 'The Condition needs code.text (or a coding display): the injury as described') ?? [];
      const where = resource.bodySite?.map(conceptText).filter(Boolean).join(', ');
      const injury = where ? `${what} (${where})` : what;
      if (injury.length > 2000) return this.problem(`${at}.code.text`, 'An injury description may be at most 2000 characters, body site included') ?? [];
      return [injury];
    });
  }

  private attendancesOf(child: Located<Patient>): HealthReferral['attendances'] {
    return this.ofType<Encounter>('Encounter').flatMap(({ resource, at }) => {
      if (!this.refersToChild(resource.subject, child)) this.problem(`${at}.subject`, 'Encounter.subject must reference the child\'s Patient entry');
      const attendedOn = resource.period?.start?.slice(0, 10);
      if (!attendedOn || !isCalendarDate(attendedOn)) return this.problem(`${at}.period.start`, 'An earlier attendance needs period.start: when it was') ?? [];
      if (Date.parse(attendedOn) > Date.now()) return this.problem(`${at}.period.start`, 'An earlier attendance cannot be in the future') ?? [];
      const provider = resource.serviceProvider?.identifier;
      const reason = resource.reasonCode?.map(conceptText).find(Boolean);
      if (reason && reason.length > 1000) this.problem(`${at}.reasonCode`, 'The reason for an attendance may be at most 1000 characters');
      return [
        {
          attendedOn,
          encounterClass: resource.class.code ?? 'unknown',
          ...(provider?.system === ODS_ORGANISATION_SYSTEM && provider.value && { serviceProviderOdsCode: provider.value }),
          ...(reason && { reason }),
        },
      ];
    });
  }

  /**
   * The sending organisation: the Organization the Communication's sender is, or the organisation of the
   * PractitionerRole it is. A Practitioner alone names no organisation: then only the credential does.
   */
  private senderOf({ resource, at }: Located<Communication>): HealthReferral['sender'] {
    let sender: Reference | undefined = resource.sender;
    let resolved = this.resolve(sender)?.resource;
    if (resolved?.resourceType === 'Practitioner') return undefined;
    if (resolved?.resourceType === 'PractitionerRole') {
      sender = (resolved as PractitionerRole).organization;
      if (!sender) return undefined;
      resolved = this.resolve(sender)?.resource;
    }
    if (!sender) return undefined;
    const organisation = resolved?.resourceType === 'Organization' ? (resolved as Organization) : undefined;
    const identifier = sender.identifier ?? organisation?.identifier?.find((id) => id.system === ODS_ORGANISATION_SYSTEM);
    if (identifier?.system !== ODS_ORGANISATION_SYSTEM || !identifier.value) {
      return this.problem(
        `${at}.sender`,
        `Communication.sender must be the sending Organization (or a PractitionerRole of it), identified by its ODS code (system ${ODS_ORGANISATION_SYSTEM})`,
      );
    }
    const gpPractice = !!organisation?.type?.some((t) => t.coding?.some((c) => c.system === ODS_ROLE_SYSTEM && c.code === ODS_ROLE_GP_PRACTICE));
    return { odsCode: identifier.value, gpPractice };
  }
}

function conceptText(concept: CodeableConcept | undefined): string | undefined {
  return concept?.text?.trim() || concept?.coding?.find((c) => c.display)?.display?.trim() || undefined;
}
