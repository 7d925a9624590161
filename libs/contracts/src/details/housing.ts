import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  Equals,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsCalendarDate } from '../dates.js';
import { RequiredOnlyWhen } from '../required-only-when.js';

/** The three notices a council's housing service sends the MASH. */
export const HOUSING_NOTICE_KINDS = ['duty_to_refer', 'anti_social_behaviour', 'eviction'] as const;
export type HousingNoticeKind = (typeof HOUSING_NOTICE_KINDS)[number];

/**
 * A local housing authority in England: the duty to refer (Housing Act 1996
 * s213B) is to an English housing authority, whose ONS codes are E06 (unitary),
 * E07 (district), E08 (metropolitan district) or E09 (London borough).
 */
export const HOUSING_AUTHORITY_CODE_PATTERN = /^E0[6-9]\d{6}$/;
export const HOUSING_AUTHORITY_CODE_MESSAGE =
  '$property must be the ONS code of a local housing authority in England (E06, E07, E08 or E09 and 6 digits), e.g. E09000028';

export class HousingOfficer {
  @IsString()
  @Length(1, 100)
  name!: string;

  @IsOptional()
  @IsString()
  @Length(1, 100)
  team?: string;

  /** A telephone number or a secure e-mail address. */
  @IsString()
  @Length(3, 200)
  contact!: string;
}

export const HOMELESSNESS_REASONS = ['homeless', 'threatened_with_homelessness'] as const;
export type HomelessnessReason = (typeof HOMELESSNESS_REASONS)[number];

/** A referral under the duty to refer: made only with the household's consent, to the council it chose. */
export class DutyToReferDetails {
  @IsIn(HOMELESSNESS_REASONS)
  reason!: HomelessnessReason;

  /** When a household threatened with homelessness expects to become homeless (within 56 days). */
  @RequiredOnlyWhen((d: DutyToReferDetails) => d.reason === 'threatened_with_homelessness', 'reason is threatened_with_homelessness')
  @IsCalendarDate()
  expectedHomelessOn?: string;

  /** For a household homeless now: whether it has somewhere to stay tonight. */
  @RequiredOnlyWhen((d: DutyToReferDetails) => d.reason === 'homeless', 'reason is homeless')
  @IsBoolean()
  accommodationTonight?: boolean;

  /** The local housing authority the household chose to be referred to. */
  @Matches(HOUSING_AUTHORITY_CODE_PATTERN, { message: HOUSING_AUTHORITY_CODE_MESSAGE })
  chosenCouncil!: string;
}

/** The Home Office's three categories of anti-social behaviour. */
export const ASB_CATEGORIES = ['personal', 'nuisance', 'environmental'] as const;
export const ASB_HOUSEHOLD_ROLES = ['alleged_perpetrator', 'victim'] as const;
export const ASB_RISK_LEVELS = ['standard', 'medium', 'high'] as const;
export const ASB_ACTIONS = [
  'warning_letter',
  'acceptable_behaviour_contract',
  'community_protection_notice',
  'civil_injunction',
  'closure_order',
  'notice_of_seeking_possession',
] as const;

export class AntiSocialBehaviourDetails {
  @IsIn(ASB_CATEGORIES)
  category!: (typeof ASB_CATEGORIES)[number];

  /** Whether the household is the one complained of or the one suffering it. */
  @IsIn(ASB_HOUSEHOLD_ROLES)
  householdRole!: (typeof ASB_HOUSEHOLD_ROLES)[number];

  /** The council's own ASB risk assessment. */
  @IsIn(ASB_RISK_LEVELS)
  riskLevel!: (typeof ASB_RISK_LEVELS)[number];

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  incidentCount?: number;

  @IsArray()
  @ArrayUnique()
  @IsIn(ASB_ACTIONS, { each: true })
  actionsTaken!: (typeof ASB_ACTIONS)[number][];
}

export const EVICTION_NOTICE_TYPES = [
  'section_8',
  'section_21',
  'notice_of_seeking_possession',
  'notice_to_quit',
  'possession_order',
  'warrant_of_possession',
] as const;
export const EVICTION_REASONS = ['rent_arrears', 'anti_social_behaviour', 'breach_of_tenancy', 'no_fault', 'other'] as const;
export const LANDLORD_TYPES = ['council', 'housing_association', 'private'] as const;

export class EvictionDetails {
  @IsIn(EVICTION_NOTICE_TYPES)
  noticeType!: (typeof EVICTION_NOTICE_TYPES)[number];

  @IsCalendarDate()
  servedOn!: string;

  /** When the household must leave: the notice's expiry, or the bailiffs' date. */
  @IsCalendarDate()
  leaveBy!: string;

  @IsIn(EVICTION_REASONS)
  reason!: (typeof EVICTION_REASONS)[number];

  /** Rent arrears in pounds, when arrears are the reason. */
  @RequiredOnlyWhen((d: EvictionDetails) => d.reason === 'rent_arrears', 'reason is rent_arrears')
  @IsNumber({ maxDecimalPlaces: 2 }, { message: '$property must be an amount in pounds with at most 2 decimal places, e.g. 1234.56' })
  @Min(0)
  @Max(1_000_000)
  arrearsPounds?: number;

  @IsIn(LANDLORD_TYPES)
  landlord!: (typeof LANDLORD_TYPES)[number];
}

/** Each subject's relationship to the lead applicant or tenant, in the order of the subjects. */
export class HouseholdRelationships {
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  children!: string[];

  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  adults!: string[];
}

/** What only a housing notice carries: version 1 of the housing part. Exactly one of the kind's sections is present. */
export class HousingDetails {
  @Equals('housing')
  agency!: 'housing';

  @Equals(1, { message: '$property must be 1: the only version of the housing details' })
  version!: 1;

  @IsIn(HOUSING_NOTICE_KINDS)
  kind!: HousingNoticeKind;

  @ValidateNested()
  @Type(() => HousingOfficer)
  officer!: HousingOfficer;

  @ValidateNested()
  @Type(() => HouseholdRelationships)
  relationshipsToApplicant!: HouseholdRelationships;

  @RequiredOnlyWhen((d: HousingDetails) => d.kind === 'duty_to_refer', 'kind is duty_to_refer')
  @ValidateNested()
  @Type(() => DutyToReferDetails)
  dutyToRefer?: DutyToReferDetails;

  @RequiredOnlyWhen((d: HousingDetails) => d.kind === 'anti_social_behaviour', 'kind is anti_social_behaviour')
  @ValidateNested()
  @Type(() => AntiSocialBehaviourDetails)
  antiSocialBehaviour?: AntiSocialBehaviourDetails;

  @RequiredOnlyWhen((d: HousingDetails) => d.kind === 'eviction', 'kind is eviction')
  @ValidateNested()
  @Type(() => EvictionDetails)
  eviction?: EvictionDetails;
}
