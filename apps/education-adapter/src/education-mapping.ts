import { canonicalConsent } from '#adapter-kit';
import {
  AGENCY_REGISTRY,
  NOTIFICATION_SCHEMA_VERSION,
  type AdultRole,
  type AssessmentFactorCode,
  type DslDecision,
  type LinkedPupilConnection,
  type LookedAfterStatus,
  type Rag,
  type ReferralSource,
  type SafeguardingNotification,
} from '#contracts';
import type { ConcernPupilDto, EducationConcern, EducationConcernDto, LinkedPupilDto, LookedAfterDto, ConcernAdultDto } from './education-concern.dto.js';

/**
 * A school's concern categories as DfE assessment factors. All are concerns
 * about the pupil (A) except the parental ones (B). Radicalisation has no
 * factor of its own and is 20 (Other); the school's own category is kept in
 * the details, so nothing is lost.
 */
export const CONCERN_FACTORS: Record<EducationConcern, AssessmentFactorCode> = {
  PHYSICAL_ABUSE: '18A',
  EMOTIONAL_ABUSE: '17A',
  SEXUAL_ABUSE: '19A',
  NEGLECT: '16A',
  DOMESTIC_ABUSE: '3A',
  CHILD_SEXUAL_EXPLOITATION: '11A',
  CHILD_CRIMINAL_EXPLOITATION: '24A',
  GANGS: '13A',
  TRAFFICKING: '12A',
  MISSING: '10A',
  SELF_HARM: '15A',
  MENTAL_HEALTH: '4A',
  PUPIL_ALCOHOL_MISUSE: '1A',
  PUPIL_DRUG_MISUSE: '2A',
  PARENTAL_ALCOHOL_MISUSE: '1B',
  PARENTAL_DRUG_MISUSE: '2B',
  PARENTAL_MENTAL_HEALTH: '4B',
  YOUNG_CARER: '7A',
  FGM: '22A',
  FAITH_OR_BELIEF_ABUSE: '23A',
  RADICALISATION: '20',
  OTHER: '20',
};

const DECISIONS: Record<EducationConcernDto['dslDecision'], DslDecision> = {
  REFER_TO_MASH: 'refer_to_mash',
  EARLY_HELP: 'early_help',
  MONITOR: 'monitor',
};

const CONNECTIONS: Record<LinkedPupilDto['connection'], LinkedPupilConnection> = {
  SIBLING: 'sibling',
  WITNESS: 'witness',
  ALLEGED_TO_HAVE_HARMED: 'alleged_to_have_harmed',
  ALSO_AFFECTED: 'also_affected',
  OTHER: 'other',
};

const LOOKED_AFTER: Record<LookedAfterDto['status'], LookedAfterStatus> = {
  S20: 'looked_after_s20',
  S31_CARE_ORDER: 'looked_after_s31_care_order',
  S38_INTERIM_CARE_ORDER: 'looked_after_s38_interim_care_order',
  PREVIOUSLY_LOOKED_AFTER: 'previously_looked_after',
};

const ADULT_ROLES: Record<ConcernAdultDto['role'], AdultRole> = {
  PARENT: 'parent',
  CARER: 'carer',
  ALLEGED_TO_HAVE_HARMED: 'alleged_perpetrator',
  OTHER: 'other',
};

/**
 * The sender's urgency: immediate danger, as the DSL judges it, is red; a
 * referral to the MASH is amber; a concern shared for early help or
 * monitoring is green. The screener sets the hub's own RAG.
 */
export function senderUrgency(concern: Pick<EducationConcernDto, 'immediateDanger' | 'dslDecision'>): Rag {
  if (concern.immediateDanger) return 'red';
  return concern.dslDecision === 'REFER_TO_MASH' ? 'amber' : 'green';
}

/** Schools are 2A; the virtual school is the council's education service, 5B. */
export function referralSource(concern: Pick<EducationConcernDto, 'raisedBy'>): ReferralSource {
  return concern.raisedBy === 'VIRTUAL_SCHOOL' ? '5B' : AGENCY_REGISTRY.education.referralSource;
}

/**
 * Maps a school's or virtual school's concern to the canonical notification.
 * Only the pupils the concern is about become its children (and get
 * contacts); linked pupils stay in the details with their connection.
 * Schools share on public task, with DPA 2018 Schedule 1 para 18 for
 * sensitive data, through Children Act 2004 s11.
 */
export function toCanonical(
  concern: EducationConcernDto,
  ids: { notificationId: string; correlationId: string; sourceOrganisation: string },
): SafeguardingNotification {
  const education = AGENCY_REGISTRY.education;
  const fromSchool = concern.raisedBy === 'SCHOOL';
  return {
    schemaVersion: NOTIFICATION_SCHEMA_VERSION,
    notificationId: ids.notificationId,
    correlationId: ids.correlationId,
    sourceAgency: 'education',
    sourceOrganisation: ids.sourceOrganisation,
    partnerReference: concern.concernReference,
    ...(concern.observedAt && { occurredAt: concern.observedAt }),
    reportedAt: concern.raisedAt,
    categories: [...new Set(concern.concerns.map((category) => CONCERN_FACTORS[category]))],
    senderUrgency: senderUrgency(concern),
    subjects: {
      children: concern.pupils.map((pupil) => {
        const schoolUrn = fromSchool ? concern.schoolUrn : pupil.schoolUrn;
        return {
          givenName: pupil.forename,
          familyName: pupil.surname,
          dateOfBirth: pupil.dateOfBirth,
          ...(pupil.address && { address: { ...pupil.address, lines: [...pupil.address.lines] } }),
          ...(schoolUrn && { schoolUrn }),
          voice: { seen: pupil.voiceOfChild.seen, spokenTo: pupil.voiceOfChild.spokenTo, ...(pupil.voiceOfChild.words && { words: pupil.voiceOfChild.words }) },
        };
      }),
      adults: (concern.adults ?? []).map((adult) => ({
        givenName: adult.forename,
        familyName: adult.surname,
        ...(adult.dateOfBirth && { dateOfBirth: adult.dateOfBirth }),
        role: ADULT_ROLES[adult.role],
        ...(adult.relationshipToPupil && { relationshipToChild: adult.relationshipToPupil }),
      })),
    },
    narrative: concern.narrative,
    consent: canonicalConsent(concern.consent),
    lawfulBasis: { ...education.defaultLawfulBasis, statutoryGateways: [...education.defaultLawfulBasis.statutoryGateways] },
    referralSource: referralSource(concern),
    details: {
      agency: 'education',
      version: 1,
      sender: fromSchool ? 'school' : 'virtual_school',
      ...(fromSchool && { schoolUrn: concern.schoolUrn }),
      concernTypes: concern.concerns.map((category) => category.toLowerCase()),
      immediateDanger: concern.immediateDanger,
      dslDecision: DECISIONS[concern.dslDecision],
      designatedSafeguardingLead: { ...concern.designatedSafeguardingLead },
      pupils: concern.pupils.map(pupilDetails),
      linkedPupils: (concern.linkedPupils ?? []).map((linked) => ({
        givenName: linked.forename,
        familyName: linked.surname,
        ...(linked.dateOfBirth && { dateOfBirth: linked.dateOfBirth }),
        ...(linked.yearGroup && { yearGroup: linked.yearGroup }),
        connection: CONNECTIONS[linked.connection],
      })),
      staffAlerted: concern.staffAlerted.map((staff) => ({ ...staff })),
      actionsTaken: [...concern.actionsTaken],
    },
  };
}

/** What the canonical child has no field for: UPN, year group, body map, looked-after status. */
function pupilDetails(pupil: ConcernPupilDto) {
  return {
    ...(pupil.upn && { upn: pupil.upn }),
    yearGroup: pupil.yearGroup,
    bodyMap: pupil.bodyMap.map((mark) => ({ ...mark })),
    ...(pupil.lookedAfter && {
      lookedAfterStatus: LOOKED_AFTER[pupil.lookedAfter.status],
      responsibleLocalAuthority: pupil.lookedAfter.responsibleLocalAuthority,
    }),
  };
}
