import { canonicalConsent } from '#adapter-kit';
import {
  AGENCY_REGISTRY,
  NOTIFICATION_SCHEMA_VERSION,
  type AssessmentFactorCode,
  type ChildContact,
  type OffenceNature,
  type PersonOnProbationIs,
  type Rag,
  type RiskOfSeriousHarm,
  type SafeguardingNotification,
  type SentenceType,
  type VictimRelationship,
} from '#contracts';
import type { OffenceNatureCode, PersonOnProbationIsCode, ProbationNoticeDto, RoshCode } from './probation-notice.dto.js';

/**
 * The DfE assessment factor an offence points to, without its suffix. Offences
 * against adults alone name no child-specific factor: they are 20 (other),
 * so the screener sees a concern without one being invented.
 */
const OFFENCE_FACTORS: Record<OffenceNatureCode, '3' | '16' | '18' | '19' | '20'> = {
  SEXUAL_OFFENCE_AGAINST_CHILD: '19',
  INDECENT_IMAGES_OF_CHILDREN: '19',
  VIOLENCE_AGAINST_CHILD: '18',
  CHILD_CRUELTY_OR_NEGLECT: '16',
  DOMESTIC_ABUSE: '3',
  SEXUAL_OFFENCE_AGAINST_ADULT: '20',
  VIOLENCE_AGAINST_ADULT: '20',
  STALKING_OR_HARASSMENT: '20',
  OTHER: '20',
};

/** Relationships in which the person on probation is the child's parent or carer (suffix B); any other is another person (C). */
const PARENT_OR_CARER: ReadonlySet<PersonOnProbationIsCode> = new Set(['PARENT', 'STEP_PARENT']);

const RELATIONSHIP_WORDS: Record<PersonOnProbationIsCode, string> = {
  PARENT: 'parent',
  STEP_PARENT: 'step-parent',
  PARENTS_PARTNER: "parent's partner",
  GRANDPARENT: 'grandparent',
  SIBLING: 'sibling',
  OTHER_RELATIVE: 'other relative',
  FAMILY_FRIEND: 'family friend',
  NEIGHBOUR: 'neighbour',
  NO_KNOWN_RELATIONSHIP: 'no known relationship',
  OTHER: 'other',
};

/** Risk of serious harm to children as the sender's urgency: high and very high are red. */
export const ROSH_URGENCY: Record<RoshCode, Rag> = {
  VERY_HIGH: 'red',
  HIGH: 'red',
  MEDIUM: 'amber',
  LOW: 'green',
};

/** The notice's reference: the case reference number and the notice's number within the case, e.g. X123456/3. */
export function probationReference(notice: Pick<ProbationNoticeDto, 'crn' | 'noticeNumber'>): string {
  return `${notice.crn}/${notice.noticeNumber}`;
}

/**
 * The DfE assessment factors of a notice. The number comes from each offence's
 * nature; the suffix says whose concern it is, and the concern is the person on
 * probation: B when they are a parent or step-parent of a child named, C (another
 * person) otherwise, both when the notice names children of each kind. A (the
 * child) is not used: the notice is about a risk to these children, not about
 * harm that has happened to them.
 */
export function assessmentFactors(notice: Pick<ProbationNoticeDto, 'offences' | 'childrenAtRisk'>): AssessmentFactorCode[] {
  const suffixes = [...new Set(notice.childrenAtRisk.map((child) => (PARENT_OR_CARER.has(child.personOnProbationIs) ? 'B' : 'C')))].sort();
  const factors = notice.offences.flatMap((offence): AssessmentFactorCode[] => {
    const factor = OFFENCE_FACTORS[offence.nature];
    return factor === '20' ? ['20'] : suffixes.map((suffix) => `${factor}${suffix}` as AssessmentFactorCode);
  });
  return [...new Set(factors)];
}

const lower = <T extends string>(code: string) => code.toLowerCase() as T;

/**
 * Maps a probation risk-to-children notice to the canonical notification. The
 * Probation Service shares on its registered basis: public task, with DPA 2018
 * Schedule 1 para 18 (safeguarding of children) for the criminal offence and
 * health data, through Children Act 2004 s11 and Crime and Disorder Act 1998 s115.
 */
export function toCanonical(
  notice: ProbationNoticeDto,
  ids: { notificationId: string; correlationId: string; sourceOrganisation: string },
): SafeguardingNotification {
  const probation = AGENCY_REGISTRY.probation;
  const person = notice.personOnProbation;
  const relationships = new Set(notice.childrenAtRisk.map((child) => child.personOnProbationIs));
  return {
    schemaVersion: NOTIFICATION_SCHEMA_VERSION,
    notificationId: ids.notificationId,
    correlationId: ids.correlationId,
    sourceAgency: 'probation',
    sourceOrganisation: ids.sourceOrganisation,
    partnerReference: probationReference(notice),
    reportedAt: notice.raisedAt,
    categories: assessmentFactors(notice),
    senderUrgency: ROSH_URGENCY[notice.riskOfSeriousHarmToChildren],
    subjects: {
      children: notice.childrenAtRisk.map((child) => ({
        givenName: child.forename,
        familyName: child.surname,
        dateOfBirth: child.dateOfBirth,
        ...(child.nhsNumber && { nhsNumber: child.nhsNumber }),
        ...(child.address && { address: { ...child.address, lines: [...child.address.lines] } }),
      })),
      adults: [
        {
          givenName: person.forename,
          familyName: person.surname,
          dateOfBirth: person.dateOfBirth,
          role: 'person_on_probation',
          // One relationship fits one adult only when it is the same to every child; each child's is in the details.
          ...(relationships.size === 1 && { relationshipToChild: RELATIONSHIP_WORDS[[...relationships][0]] }),
          ...(person.currentAddress && { address: { ...person.currentAddress, lines: [...person.currentAddress.lines] } }),
        },
        ...notice.householdMembers.map((member) => ({
          givenName: member.forename,
          familyName: member.surname,
          ...(member.dateOfBirth && { dateOfBirth: member.dateOfBirth }),
          role: 'household_member' as const,
        })),
      ],
    },
    narrative: notice.riskSummary,
    consent: canonicalConsent(notice.consent),
    lawfulBasis: { ...probation.defaultLawfulBasis, statutoryGateways: [...probation.defaultLawfulBasis.statutoryGateways] },
    referralSource: probation.referralSource,
    details: {
      agency: 'probation',
      version: 1,
      crn: notice.crn,
      riskOfSeriousHarmToChildren: lower<RiskOfSeriousHarm>(notice.riskOfSeriousHarmToChildren),
      ...(notice.mappa && { mappa: { category: notice.mappa.category, ...(notice.mappa.level && { level: notice.mappa.level }) } }),
      offences: notice.offences.map((offence) => ({
        nature: lower<OffenceNature>(offence.nature),
        description: offence.description,
        ...(offence.victimAgeAtOffence !== undefined && { victimAgeAtOffence: offence.victimAgeAtOffence }),
        victimRelationship: lower<VictimRelationship>(offence.victimRelationship),
        ...(offence.convictedOn && { convictedOn: offence.convictedOn }),
      })),
      sentence: {
        type: lower<SentenceType>(notice.sentence.type),
        ...(notice.sentence.lengthMonths !== undefined && { lengthMonths: notice.sentence.lengthMonths }),
        sentencedOn: notice.sentence.sentencedOn,
        ...(notice.sentence.expiresOn && { expiresOn: notice.sentence.expiresOn }),
      },
      ...(notice.release && {
        release: {
          ...(notice.release.releaseDate && { releaseDate: notice.release.releaseDate }),
          ...(notice.release.licenceExpiresOn && { licenceExpiresOn: notice.release.licenceExpiresOn }),
          licenceConditions: [...notice.release.licenceConditions],
        },
      }),
      ...(notice.proposedAddress && { proposedAddress: { ...notice.proposedAddress, lines: [...notice.proposedAddress.lines] } }),
      childContact: lower<ChildContact>(notice.childContact),
      childRelationships: notice.childrenAtRisk.map((child, childIndex) => ({
        childIndex,
        personOnProbationIs: lower<PersonOnProbationIs>(child.personOnProbationIs),
      })),
      // The person on probation is adult 0; household members follow in the order sent.
      householdMembers: notice.householdMembers.map((member, index) => ({
        adultIndex: index + 1,
        relationshipToPersonOnProbation: member.relationshipToPersonOnProbation,
      })),
      practitioner: { ...notice.practitioner },
    },
  };
}
