import {
  AGENCY_REGISTRY,
  NOTIFICATION_SCHEMA_VERSION,
  type AdultRole,
  type AssessmentFactorCode,
  type DashRiskLevel,
  type SafeguardingNotification,
} from '#contracts';
import { canonicalConsent } from '#adapter-kit';
import type { PoliceAdultRole, PoliceConcern, PoliceNoticeDto } from './police-notice.dto.js';

/** Police concern categories as DfE assessment factors (A: about the child; B: about a parent or carer). */
const CONCERN_FACTORS: Record<PoliceConcern, AssessmentFactorCode> = {
  DOMESTIC_ABUSE: '3A',
  NEGLECT: '16A',
  PHYSICAL_ABUSE: '18A',
  SEXUAL_ABUSE: '19A',
  EMOTIONAL_ABUSE: '17A',
  CHILD_SEXUAL_EXPLOITATION: '11A',
  CHILD_CRIMINAL_EXPLOITATION: '24A',
  MISSING: '10A',
  PARENTAL_ALCOHOL_MISUSE: '1B',
  PARENTAL_DRUG_MISUSE: '2B',
  PARENTAL_MENTAL_HEALTH: '4B',
  GANGS: '13A',
  TRAFFICKING: '12A',
  FGM: '22A',
  SELF_HARM: '15A',
};

const ADULT_ROLES: Record<PoliceAdultRole, AdultRole> = {
  VICTIM: 'victim',
  ALLEGED_PERPETRATOR: 'alleged_perpetrator',
  PARENT: 'parent',
  CARER: 'carer',
  WITNESS: 'other',
  OTHER: 'other',
};

/** A DASH score of 14 or more "yes" answers is high risk whatever level was recorded. */
export function dashRiskLevel(notice: Pick<PoliceNoticeDto, 'dashRisk' | 'dashScore'>): DashRiskLevel | undefined {
  if (notice.dashScore !== undefined && notice.dashScore >= 14) return 'high';
  return notice.dashRisk?.toLowerCase() as DashRiskLevel | undefined;
}

/**
 * Maps a police public protection notice to the canonical notification. The
 * police share on their registered basis: public task, with DPA 2018 Schedule
 * 8 para 4 for sensitive processing, through Children Act 2004 s11 and Crime
 * and Disorder Act 1998 s115.
 */
export function toCanonical(
  notice: PoliceNoticeDto,
  ids: { notificationId: string; correlationId: string; sourceOrganisation: string },
): SafeguardingNotification {
  const police = AGENCY_REGISTRY.police;
  return {
    schemaVersion: NOTIFICATION_SCHEMA_VERSION,
    notificationId: ids.notificationId,
    correlationId: ids.correlationId,
    sourceAgency: 'police',
    sourceOrganisation: ids.sourceOrganisation,
    partnerReference: notice.policeReference,
    occurredAt: notice.incident.occurredAt,
    reportedAt: notice.raisedAt,
    categories: [...new Set(notice.concerns.map((concern) => CONCERN_FACTORS[concern]))],
    senderUrgency: notice.ragGrading.toLowerCase() as SafeguardingNotification['senderUrgency'],
    subjects: {
      children: notice.children.map((child) => ({
        givenName: child.forename,
        familyName: child.surname,
        dateOfBirth: child.dateOfBirth,
        ...(child.nhsNumber && { nhsNumber: child.nhsNumber }),
        ...(child.address && { address: { ...child.address } }),
        ...(child.schoolUrn && { schoolUrn: child.schoolUrn }),
        present: child.presentAtIncident,
        voice: {
          seen: child.voiceOfChild.seen,
          spokenTo: child.voiceOfChild.spokenTo,
          ...(child.voiceOfChild.account && { words: child.voiceOfChild.account }),
        },
      })),
      adults: notice.adults.map((adult) => ({
        givenName: adult.forename,
        familyName: adult.surname,
        ...(adult.dateOfBirth && { dateOfBirth: adult.dateOfBirth }),
        role: ADULT_ROLES[adult.role],
        ...(adult.relationshipToChildren && { relationshipToChild: adult.relationshipToChildren }),
      })),
    },
    narrative: narrative(notice),
    consent: canonicalConsent(notice.consent),
    lawfulBasis: { ...police.defaultLawfulBasis, statutoryGateways: [...police.defaultLawfulBasis.statutoryGateways] },
    referralSource: police.referralSource,
    details: {
      agency: 'police',
      version: 1,
      referralType: notice.notificationType === 'FORMAL_REFERRAL' ? 'formal_referral' : 'information_exchange',
      ...(dashRiskLevel(notice) && { dashRiskLevel: dashRiskLevel(notice) }),
      incidentLocation: notice.incident.location,
      officerInCase: { ...notice.officerInCase },
      ...(notice.previousIncidents !== undefined && { previousIncidents: notice.previousIncidents }),
      domesticAbuse: notice.incident.domesticAbuse,
    },
  };
}

/** The circumstances, with each child's whereabouts and welfare check, which the canonical form has no field for. */
function narrative(notice: PoliceNoticeDto): string {
  const perChild = notice.children.map(
    (child, index) =>
      `Child ${index + 1}: ${child.presentAtIncident ? 'present' : 'not present'}` +
      (child.whereabouts ? ` (${child.whereabouts})` : '') +
      `; welfare check ${child.welfareCheckDone ? 'done' : 'not done'}.`,
  );
  return [notice.incident.circumstances, ...perChild].join('\n');
}
