import {
  AGENCY_REGISTRY,
  NOTIFICATION_SCHEMA_VERSION,
  type AssessmentFactorCode,
  type Rag,
  type ReferralSource,
  type SafeguardingNotification,
} from '#contracts';
import type { HealthReferral, SafeguardingConcern } from './fhir-referral.js';

/** Safeguarding concern codes as DfE assessment factors (A: about the child; B: about a parent or carer). */
export const CONCERN_FACTORS: Record<SafeguardingConcern, AssessmentFactorCode> = {
  'physical-abuse': '18A',
  neglect: '16A',
  'sexual-abuse': '19A',
  'emotional-abuse': '17A',
  'domestic-abuse': '3A',
  'child-sexual-exploitation': '11A',
  'child-criminal-exploitation': '24A',
  'female-genital-mutilation': '22A',
  'self-harm': '15A',
  'child-mental-health': '4A',
  'child-alcohol-misuse': '1A',
  'child-drug-misuse': '2A',
  'parental-mental-health': '4B',
  'parental-alcohol-misuse': '1B',
  'parental-drug-misuse': '2B',
  'parental-learning-disability': '5B',
  missing: '10A',
  trafficking: '12A',
};

/**
 * Communication.priority as the sender's RAG urgency: routine is green, urgent
 * amber, and asap and stat (both "as soon as possible", stat the highest) red.
 */
export const PRIORITY_URGENCY: Record<HealthReferral['priority'], Rag> = {
  routine: 'green',
  urgent: 'amber',
  asap: 'red',
  stat: 'red',
};

/**
 * 3A (GP) only when the Communication's sender is the credential's own
 * organisation and declares the ODS role of a GP practice; otherwise the
 * registry's 3F (other health services), since nothing else in the Bundle
 * tells a GP apart honestly.
 */
export function referralSourceOf(referral: Pick<HealthReferral, 'sender'>, sourceOrganisation: string): ReferralSource {
  if (referral.sender?.gpPractice && referral.sender.odsCode === sourceOrganisation) return '3A';
  return AGENCY_REGISTRY.health.referralSource;
}

/**
 * Maps a health safeguarding referral (read from its FHIR Bundle) to the
 * canonical notification. Health shares on its registered basis: public task,
 * with DPA 2018 Schedule 1 para 18 for the health data, through Children Act
 * 2004 s11.
 */
/**
 * The referral's reference as the hub keys it: FHIR's token form, `<system>|<value>`. An identifier's
 * value is unique only within its system, so two systems of one trust may use the same value.
 */
export function referralReference(identifier: HealthReferral['identifier']): string {
  return `${identifier.system}|${identifier.value}`;
}

/** The identifier a referral reference stands for; the value is after the last |, as a system may not hold one. */
export function referralIdentifier(reference: string): { system?: string; value: string } {
  const split = reference.lastIndexOf('|');
  return split < 0 ? { value: reference } : { system: reference.slice(0, split), value: reference.slice(split + 1) };
}

export function toCanonical(
  referral: HealthReferral,
  ids: { notificationId: string; correlationId: string; sourceOrganisation: string },
): SafeguardingNotification {
  const health = AGENCY_REGISTRY.health;
  const { child } = referral;
  return {
    schemaVersion: NOTIFICATION_SCHEMA_VERSION,
    notificationId: ids.notificationId,
    correlationId: ids.correlationId,
    sourceAgency: 'health',
    sourceOrganisation: ids.sourceOrganisation,
    partnerReference: referralReference(referral.identifier),
    reportedAt: new Date(referral.sent).toISOString(),
    categories: [...new Set(referral.concerns.map((concern) => CONCERN_FACTORS[concern]))],
    senderUrgency: PRIORITY_URGENCY[referral.priority],
    subjects: {
      children: [
        {
          givenName: child.givenName,
          familyName: child.familyName,
          ...(child.dateOfBirth && { dateOfBirth: child.dateOfBirth }),
          ...(child.expectedDateOfDelivery && { expectedDateOfDelivery: child.expectedDateOfDelivery }),
          ...(child.nhsNumber && { nhsNumber: child.nhsNumber }),
          ...(child.address && { address: { lines: [...child.address.lines], ...(child.address.postcode && { postcode: child.address.postcode }) } }),
        },
      ],
      adults: referral.adults.map((adult) => ({
        givenName: adult.givenName,
        familyName: adult.familyName,
        ...(adult.dateOfBirth && { dateOfBirth: adult.dateOfBirth }),
        role: adult.role,
        ...(adult.relationship && { relationshipToChild: adult.relationship }),
      })),
    },
    narrative: referral.narrative,
    consent: { ...referral.consent },
    lawfulBasis: { ...health.defaultLawfulBasis, statutoryGateways: [...health.defaultLawfulBasis.statutoryGateways] },
    referralSource: referralSourceOf(referral, ids.sourceOrganisation),
    details: {
      agency: 'health',
      version: 1,
      communicationIdentifier: { ...referral.identifier },
      fhirPriority: referral.priority,
      ...(child.gpPracticeOdsCode && { gpPracticeOdsCode: child.gpPracticeOdsCode }),
      ...(referral.injuries.length && { injuryDescriptions: [...referral.injuries] }),
      previousUnscheduledAttendances: referral.attendances.map((attendance) => ({ ...attendance })),
    },
  };
}
