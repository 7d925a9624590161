import { canonicalConsent } from '#adapter-kit';
import {
  AGENCY_REGISTRY,
  NOTIFICATION_SCHEMA_VERSION,
  type AssessmentFactorCode,
  type HousingDetails,
  type HousingNoticeKind,
  type LawfulBasis,
  type Rag,
  type SafeguardingNotification,
} from '#contracts';
import { isChildOn, type HousingConcern, type HousingNoticeDto, type HousingNoticeKindCode } from './housing-notice.dto.js';

/**
 * A housing officer's concerns as DfE assessment factors (A: about the child;
 * B: about a parent or carer). Homelessness, ASB against the household and
 * eviction are not assessment factors: they are carried in the housing details,
 * and a notice with no concerns has no categories.
 */
export const CONCERN_FACTORS: Record<HousingConcern, AssessmentFactorCode> = {
  DOMESTIC_ABUSE: '3A',
  NEGLECT: '16A',
  PARENTAL_ALCOHOL_MISUSE: '1B',
  PARENTAL_DRUG_MISUSE: '2B',
  PARENTAL_MENTAL_HEALTH: '4B',
  CHILD_ANTI_SOCIAL_BEHAVIOUR: '14A',
  CHILD_CRIMINAL_EXPLOITATION: '24A',
  GANGS: '13A',
  YOUNG_CARER: '7A',
  UNACCOMPANIED_ASYLUM_SEEKING_CHILD: '9A',
};

/** Concerns about a person's health (special-category data): sharing them needs an Article 9 condition too. */
const HEALTH_CONCERNS: readonly HousingConcern[] = ['PARENTAL_ALCOHOL_MISUSE', 'PARENTAL_DRUG_MISUSE', 'PARENTAL_MENTAL_HEALTH'];

const KINDS: Record<HousingNoticeKindCode, HousingNoticeKind> = {
  DUTY_TO_REFER: 'duty_to_refer',
  ANTI_SOCIAL_BEHAVIOUR: 'anti_social_behaviour',
  EVICTION: 'eviction',
};

/** Days from the day a notice was raised to a date (negative when the date has passed). */
function daysUntil(date: string, raisedAt: string): number {
  return (Date.parse(date) - Date.parse(raisedAt.slice(0, 10))) / 86_400_000;
}

/**
 * The council's urgency, by a fixed rule:
 * - duty to refer: homeless with nowhere to stay tonight is red; homeless with
 *   somewhere to stay, or expecting to be homeless within 7 days, amber; later, green;
 * - anti-social behaviour: the council's own risk assessment (high red, medium amber, standard green);
 * - eviction: a bailiffs' warrant due within 7 days (or passed) is red; any
 *   other date to leave within 56 days (or passed), amber; later, green.
 */
export function senderUrgency(notice: HousingNoticeDto): Rag {
  switch (notice.kind) {
    case 'DUTY_TO_REFER': {
      const referral = notice.dutyToRefer!;
      if (referral.reason === 'HOMELESS') return referral.accommodationTonight ? 'amber' : 'red';
      return daysUntil(referral.expectedHomelessOn!, notice.raisedAt) <= 7 ? 'amber' : 'green';
    }
    case 'ANTI_SOCIAL_BEHAVIOUR':
      return ({ HIGH: 'red', MEDIUM: 'amber', STANDARD: 'green' } as const)[notice.antiSocialBehaviour!.riskLevel];
    case 'EVICTION': {
      const eviction = notice.eviction!;
      const days = daysUntil(eviction.leaveBy, notice.raisedAt);
      if (eviction.noticeType === 'WARRANT_OF_POSSESSION' && days <= 7) return 'red';
      return days <= 56 ? 'amber' : 'green';
    }
  }
}

/**
 * The lawful basis. A duty to refer is the council's legal obligation (Housing
 * Act 1996 s213B, made with consent): the registry's default for housing. An
 * ASB or eviction notice is no legal obligation to share: the council shares in
 * its public task of safeguarding children (Children Act 2004 s11), and for
 * ASB also under Crime and Disorder Act 1998 s115. Health concerns add DPA 2018
 * Schedule 1 para 18 (safeguarding of children).
 */
export function lawfulBasis(notice: HousingNoticeDto): LawfulBasis {
  const basis: LawfulBasis =
    notice.kind === 'DUTY_TO_REFER'
      ? { article6: AGENCY_REGISTRY.housing.defaultLawfulBasis.article6, statutoryGateways: [...AGENCY_REGISTRY.housing.defaultLawfulBasis.statutoryGateways] }
      : {
          article6: 'public_task',
          statutoryGateways: notice.kind === 'ANTI_SOCIAL_BEHAVIOUR' ? ['children_act_2004_s11', 'crime_and_disorder_act_1998_s115'] : ['children_act_2004_s11'],
        };
  if (notice.concerns.some((concern) => HEALTH_CONCERNS.includes(concern))) basis.article9 = 'dpa2018_sch1_para18_safeguarding';
  return basis;
}

/** Maps a council housing notice to the canonical notification: the household's children are its subjects, its adults household members. */
export function toCanonical(
  notice: HousingNoticeDto,
  ids: { notificationId: string; correlationId: string; sourceOrganisation: string },
): SafeguardingNotification {
  const address = {
    lines: [...notice.household.address.lines],
    ...(notice.household.address.postcode && { postcode: notice.household.address.postcode }),
    uprn: notice.household.address.uprn,
  };
  const children = notice.household.members.filter((member) => isChildOn(member, notice.raisedAt));
  const adults = notice.household.members.filter((member) => !isChildOn(member, notice.raisedAt));
  return {
    schemaVersion: NOTIFICATION_SCHEMA_VERSION,
    notificationId: ids.notificationId,
    correlationId: ids.correlationId,
    sourceAgency: 'housing',
    sourceOrganisation: ids.sourceOrganisation,
    partnerReference: notice.caseReference,
    reportedAt: notice.raisedAt,
    categories: [...new Set(notice.concerns.map((concern) => CONCERN_FACTORS[concern]))],
    senderUrgency: senderUrgency(notice),
    subjects: {
      children: children.map((child) => ({
        givenName: child.forename,
        familyName: child.surname,
        dateOfBirth: child.dateOfBirth,
        address: { ...address, lines: [...address.lines] },
        ...(child.schoolUrn && { schoolUrn: child.schoolUrn }),
      })),
      adults: adults.map((adult) => ({
        givenName: adult.forename,
        familyName: adult.surname,
        dateOfBirth: adult.dateOfBirth,
        role: 'household_member',
        ...(adult.relationshipToChildren && { relationshipToChild: adult.relationshipToChildren }),
        address: { ...address, lines: [...address.lines] },
      })),
    },
    narrative: notice.summary,
    consent: canonicalConsent(notice.consent),
    lawfulBasis: lawfulBasis(notice),
    referralSource: AGENCY_REGISTRY.housing.referralSource,
    details: details(notice, children, adults),
  };
}

function details(
  notice: HousingNoticeDto,
  children: HousingNoticeDto['household']['members'],
  adults: HousingNoticeDto['household']['members'],
): HousingDetails {
  const { dutyToRefer, antiSocialBehaviour: asb, eviction } = notice;
  return {
    agency: 'housing',
    version: 1,
    kind: KINDS[notice.kind],
    officer: { name: notice.officer.name, ...(notice.officer.team && { team: notice.officer.team }), contact: notice.officer.contact },
    relationshipsToApplicant: {
      children: children.map((child) => child.relationshipToApplicant),
      adults: adults.map((adult) => adult.relationshipToApplicant),
    },
    ...(dutyToRefer && {
      dutyToRefer: {
        reason: dutyToRefer.reason === 'HOMELESS' ? 'homeless' : 'threatened_with_homelessness',
        ...(dutyToRefer.expectedHomelessOn && { expectedHomelessOn: dutyToRefer.expectedHomelessOn }),
        ...(dutyToRefer.accommodationTonight !== undefined && { accommodationTonight: dutyToRefer.accommodationTonight }),
        chosenCouncil: dutyToRefer.chosenCouncil,
      },
    }),
    ...(asb && {
      antiSocialBehaviour: {
        category: lower(asb.category),
        householdRole: lower(asb.householdRole),
        riskLevel: lower(asb.riskLevel),
        ...(asb.incidentCount !== undefined && { incidentCount: asb.incidentCount }),
        actionsTaken: asb.actionsTaken.map(lower),
      },
    }),
    ...(eviction && {
      eviction: {
        noticeType: lower(eviction.noticeType),
        servedOn: eviction.servedOn,
        leaveBy: eviction.leaveBy,
        reason: lower(eviction.reason),
        ...(eviction.arrearsPounds !== undefined && { arrearsPounds: eviction.arrearsPounds }),
        landlord: lower(eviction.landlord),
      },
    }),
  };
}

/** The housing system's upper-case codes are the canonical lower-case ones. */
function lower<T extends string>(code: T): Lowercase<T> {
  return code.toLowerCase() as Lowercase<T>;
}
