import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { AddressLinesDto, PARTNER_CONSENT_CODES, PARTNER_CONSENT_GIVER_CODES, PARTNER_NOT_SOUGHT_CODES } from '#adapter-kit';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
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
  ValidateIf,
  ValidateNested,
  registerDecorator,
  type ValidationArguments,
} from 'class-validator';
import {
  HOUSING_AUTHORITY_CODE_MESSAGE,
  HOUSING_AUTHORITY_CODE_PATTERN,
  IsCalendarDate,
  IsPastCalendarDate,
  IsPastInstant,
  IsPersonName,
  RequiredOnlyWhen,
  SCHOOL_URN_PATTERN,
  UPRN_PATTERN,
  isCalendarDate,
  isInstant,
} from '#contracts';

/*
 * A council housing service's own shape for a notice to the MASH, as its
 * housing management system sends it: one format, three kinds, told apart by
 * `kind`, each with a section of its own.
 */

export const HOUSING_NOTICE_KIND_CODES = ['DUTY_TO_REFER', 'ANTI_SOCIAL_BEHAVIOUR', 'EVICTION'] as const;
export type HousingNoticeKindCode = (typeof HOUSING_NOTICE_KIND_CODES)[number];

/** The council's housing case reference: its case prefix, the year and a number, e.g. HOU/2026/004512. */
export const CASE_REFERENCE_PATTERN = /^[A-Z]{2,6}\/\d{4}\/\d{1,8}$/;

/** A household threatened with homelessness is one likely to become homeless within 56 days (Housing Act 1996 s175(4)). */
export const THREATENED_WITHIN_DAYS = 56;

/** What a housing officer saw that bears on the children; each becomes a DfE assessment factor. */
export const HOUSING_CONCERNS = [
  'DOMESTIC_ABUSE',
  'NEGLECT',
  'PARENTAL_ALCOHOL_MISUSE',
  'PARENTAL_DRUG_MISUSE',
  'PARENTAL_MENTAL_HEALTH',
  'CHILD_ANTI_SOCIAL_BEHAVIOUR',
  'CHILD_CRIMINAL_EXPLOITATION',
  'GANGS',
  'YOUNG_CARER',
  'UNACCOMPANIED_ASYLUM_SEEKING_CHILD',
] as const;
export type HousingConcern = (typeof HOUSING_CONCERNS)[number];

/** Whole years between a date of birth and a day, both YYYY-MM-DD. */
export function ageOn(dateOfBirth: string, day: string): number {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number);
  const [y, m, d] = day.split('-').map(Number);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/** A member under 18 on the day the notice was raised is a child. */
export function isChildOn(member: { dateOfBirth: string }, raisedAt: string): boolean {
  return ageOn(member.dateOfBirth, raisedAt.slice(0, 10)) < 18;
}

/** Housing systems always hold the UPRN, so it is required here. */
export class HousingAddressDto extends AddressLinesDto {
  @ApiProperty({ example: '200003480421', description: 'Unique Property Reference Number, up to 12 digits: housing systems always hold it' })
  @Matches(UPRN_PATTERN, { message: '$property must be a UPRN of 1 to 12 digits' })
  uprn!: string;
}

export class HouseholdMemberDto {
  @ApiProperty({ example: 'Mia' })
  @IsPersonName()
  forename!: string;

  @ApiProperty({ example: 'Okafor' })
  @IsPersonName()
  surname!: string;

  @ApiProperty({ example: '2018-09-03', format: 'date', description: 'A member under 18 on the day the notice is raised is one of the children it is about' })
  @IsPastCalendarDate()
  dateOfBirth!: string;

  @ApiProperty({ example: 'daughter', description: 'Relationship to the lead applicant or tenant ("applicant" for them)' })
  @IsString()
  @Length(1, 100)
  relationshipToApplicant!: string;

  @ApiPropertyOptional({ example: 'mother', description: "For an adult: relationship to the household's children" })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  relationshipToChildren?: string;

  @ApiPropertyOptional({ example: '100234', description: "For a child: the school's URN, where the council knows it" })
  @IsOptional()
  @Matches(SCHOOL_URN_PATTERN, { message: '$property must be a 6-digit school URN' })
  schoolUrn?: string;
}

/** At least one member is a child on the day the notice was raised: the MASH takes notices about children. */
function IncludesAChild() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'includesAChild',
      target: target.constructor,
      propertyName,
      validator: {
        validate(household: unknown, args: ValidationArguments): boolean {
          const members = (household as { members?: unknown } | undefined)?.members;
          const raisedAt = (args.object as { raisedAt?: unknown }).raisedAt;
          // Without a valid date raised, or valid members, those are the errors to report.
          if (!isInstant(raisedAt) || !Array.isArray(members)) return true;
          const dated = members.filter((m): m is { dateOfBirth: string } => isCalendarDate((m as { dateOfBirth?: unknown })?.dateOfBirth));
          return dated.length < members.length || dated.some((member) => isChildOn(member, raisedAt));
        },
        defaultMessage: () => '$property.members must include at least one child (under 18 on the day raisedAt): the MASH takes notices about children',
      },
    });
}

export class HouseholdDto {
  @ApiProperty({ type: HousingAddressDto, description: 'Where the household lives or is staying now' })
  @ValidateNested()
  @Type(() => HousingAddressDto)
  address!: HousingAddressDto;

  @ApiProperty({ type: [HouseholdMemberDto], description: 'Everyone in the household, adults and children' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(30)
  @ValidateNested({ each: true })
  @Type(() => HouseholdMemberDto)
  members!: HouseholdMemberDto[];
}

export class HousingOfficerDto {
  @ApiProperty({ example: 'Pat Officer' })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiPropertyOptional({ example: 'Housing Options' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  team?: string;

  @ApiProperty({ example: '020 7525 0000', description: 'Telephone or secure e-mail' })
  @IsString()
  @Length(3, 200)
  contact!: string;
}

const CONSENT_CODES = PARTNER_CONSENT_CODES;
const CONSENT_GIVER_CODES = PARTNER_CONSENT_GIVER_CODES;
/** The partners' reasons, less prejudicing a criminal investigation, which a housing service is not conducting. */
export const NOT_SOUGHT_CODES = PARTNER_NOT_SOUGHT_CODES.filter((code) => code !== 'PREJUDICE_INVESTIGATION');

export class HousingConsentDto {
  @ApiProperty({ enum: CONSENT_CODES, description: 'GIVEN is required for a duty to refer' })
  @IsIn(CONSENT_CODES)
  status!: (typeof CONSENT_CODES)[number];

  @ApiPropertyOptional({ enum: CONSENT_GIVER_CODES, description: 'Required when GIVEN; CHILD means a Gillick-competent child (a 16- or 17-year-old applicant)' })
  @ValidateIf((c: HousingConsentDto) => c.status === 'GIVEN')
  @IsIn(CONSENT_GIVER_CODES, { message: '$property is required when consent was GIVEN: PARENT, CARER or CHILD' })
  givenBy?: (typeof CONSENT_GIVER_CODES)[number];

  @ApiPropertyOptional({ enum: NOT_SOUGHT_CODES, description: 'Required when NOT_SOUGHT' })
  @ValidateIf((c: HousingConsentDto) => c.status === 'NOT_SOUGHT')
  @IsIn(NOT_SOUGHT_CODES, { message: `$property is required when consent was NOT_SOUGHT: one of ${NOT_SOUGHT_CODES.join(', ')}` })
  reasonNotSought?: Exclude<(typeof PARTNER_NOT_SOUGHT_CODES)[number], 'PREJUDICE_INVESTIGATION'>;
}

/** A duty to refer needs the household's consent: refused, not sent on, without it. */
function ConsentedWhenDutyToRefer() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'consentedWhenDutyToRefer',
      target: target.constructor,
      propertyName,
      validator: {
        validate(consent: unknown, args: ValidationArguments): boolean {
          if ((args.object as HousingNoticeDto).kind !== 'DUTY_TO_REFER') return true;
          return (consent as { status?: unknown } | undefined)?.status === 'GIVEN';
        },
        defaultMessage: (args: ValidationArguments) =>
          `$property.status must be GIVEN for a duty to refer, not ${JSON.stringify((args.value as { status?: unknown } | undefined)?.status)}: ` +
          'Housing Act 1996 s213B allows a referral only with the consent of the person referred; without it, make no referral',
      },
    });
}

export class DutyToReferDto {
  @ApiProperty({ enum: ['HOMELESS', 'THREATENED_WITH_HOMELESSNESS'] })
  @IsIn(['HOMELESS', 'THREATENED_WITH_HOMELESSNESS'])
  reason!: 'HOMELESS' | 'THREATENED_WITH_HOMELESSNESS';

  @ApiPropertyOptional({ format: 'date', example: '2026-04-10', description: 'Required when THREATENED_WITH_HOMELESSNESS: the date the household expects to become homeless, within 56 days of raisedAt' })
  @RequiredOnlyWhen((d: DutyToReferDto) => d.reason === 'THREATENED_WITH_HOMELESSNESS', 'reason is THREATENED_WITH_HOMELESSNESS')
  @IsCalendarDate()
  expectedHomelessOn?: string;

  @ApiPropertyOptional({ description: 'Required when HOMELESS: does the household have somewhere safe to stay tonight?' })
  @RequiredOnlyWhen((d: DutyToReferDto) => d.reason === 'HOMELESS', 'reason is HOMELESS')
  @IsBoolean()
  accommodationTonight?: boolean;

  @ApiProperty({ example: 'E09000022', description: 'The local housing authority in England the household chose to be referred to (its ONS code)' })
  @Matches(HOUSING_AUTHORITY_CODE_PATTERN, { message: HOUSING_AUTHORITY_CODE_MESSAGE })
  chosenCouncil!: string;
}

/** A household threatened with homelessness expects it on or after the day raised and within 56 days of it. */
function ThreatenedWithin56Days() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'threatenedWithin56Days',
      target: target.constructor,
      propertyName,
      validator: {
        validate(section: unknown, args: ValidationArguments): boolean {
          const raisedAt = (args.object as { raisedAt?: unknown }).raisedAt;
          const expected = (section as DutyToReferDto | undefined)?.expectedHomelessOn;
          if (!isInstant(raisedAt) || !isCalendarDate(expected)) return true; // their own errors
          const days = (Date.parse(expected) - Date.parse(raisedAt.slice(0, 10))) / 86_400_000;
          return days >= 0 && days <= THREATENED_WITHIN_DAYS;
        },
        defaultMessage: () =>
          '$property.expectedHomelessOn must be on or after the day raisedAt and within 56 days of it: a household is threatened with homelessness ' +
          'if it is likely to become homeless within 56 days (Housing Act 1996 s175(4)); one homeless now is HOMELESS',
      },
    });
}

export const ASB_CATEGORY_CODES = ['PERSONAL', 'NUISANCE', 'ENVIRONMENTAL'] as const;
export const ASB_ACTION_CODES = [
  'WARNING_LETTER',
  'ACCEPTABLE_BEHAVIOUR_CONTRACT',
  'COMMUNITY_PROTECTION_NOTICE',
  'CIVIL_INJUNCTION',
  'CLOSURE_ORDER',
  'NOTICE_OF_SEEKING_POSSESSION',
] as const;

export class AntiSocialBehaviourDto {
  @ApiProperty({ enum: ASB_CATEGORY_CODES, description: "The Home Office's ASB categories" })
  @IsIn(ASB_CATEGORY_CODES)
  category!: (typeof ASB_CATEGORY_CODES)[number];

  @ApiProperty({ enum: ['ALLEGED_PERPETRATOR', 'VICTIM'], description: 'Is the household the one complained of, or the one suffering it?' })
  @IsIn(['ALLEGED_PERPETRATOR', 'VICTIM'])
  householdRole!: 'ALLEGED_PERPETRATOR' | 'VICTIM';

  @ApiProperty({ enum: ['STANDARD', 'MEDIUM', 'HIGH'], description: "The council's ASB risk assessment" })
  @IsIn(['STANDARD', 'MEDIUM', 'HIGH'])
  riskLevel!: 'STANDARD' | 'MEDIUM' | 'HIGH';

  @ApiPropertyOptional({ minimum: 1, description: 'Incidents reported in this case' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  incidentCount?: number;

  @ApiProperty({ enum: ASB_ACTION_CODES, isArray: true, description: 'What the council has done so far (may be empty)' })
  @IsArray()
  @ArrayUnique()
  @IsIn(ASB_ACTION_CODES, { each: true })
  actionsTaken!: (typeof ASB_ACTION_CODES)[number][];
}

export const EVICTION_NOTICE_CODES = [
  'SECTION_8',
  'SECTION_21',
  'NOTICE_OF_SEEKING_POSSESSION',
  'NOTICE_TO_QUIT',
  'POSSESSION_ORDER',
  'WARRANT_OF_POSSESSION',
] as const;
export const EVICTION_REASON_CODES = ['RENT_ARREARS', 'ANTI_SOCIAL_BEHAVIOUR', 'BREACH_OF_TENANCY', 'NO_FAULT', 'OTHER'] as const;

/** A notice cannot require the household to leave before it was served. */
function NotBeforeServed() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'notBeforeServed',
      target: target.constructor,
      propertyName,
      validator: {
        validate(leaveBy: unknown, args: ValidationArguments): boolean {
          const servedOn = (args.object as EvictionDto).servedOn;
          return !isCalendarDate(leaveBy) || !isCalendarDate(servedOn) || leaveBy >= servedOn;
        },
        defaultMessage: () => '$property must be on or after servedOn',
      },
    });
}

/** The last day a section 21 notice could be served: the Renters' Rights Act 2025 abolished them from 1 May 2026. */
const LAST_SECTION_21_DAY = '2026-04-30';

/** A section 21 notice is only real if it was served while section 21 existed (one served by then can still be acted on). */
function Section21StillServable() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'section21StillServable',
      target: target.constructor,
      propertyName,
      validator: {
        validate(noticeType: unknown, args: ValidationArguments): boolean {
          const servedOn = (args.object as EvictionDto).servedOn;
          return noticeType !== 'SECTION_21' || !isCalendarDate(servedOn) || servedOn <= LAST_SECTION_21_DAY;
        },
        defaultMessage: () =>
          "$property SECTION_21 cannot have been served after 30 April 2026: the Renters' Rights Act 2025 abolished section 21 notices from 1 May 2026",
      },
    });
}

export class EvictionDto {
  @ApiProperty({
    enum: EVICTION_NOTICE_CODES,
    description:
      'Housing Act 1988 s8 or s21 (s21 only if served by 30 April 2026), a secure tenancy notice of seeking possession (Housing Act 1985 s83), a notice to quit, a court possession order or a warrant (bailiffs)',
  })
  @IsIn(EVICTION_NOTICE_CODES)
  @Section21StillServable()
  noticeType!: (typeof EVICTION_NOTICE_CODES)[number];

  @ApiProperty({ format: 'date', example: '2026-02-20' })
  @IsPastCalendarDate()
  servedOn!: string;

  @ApiProperty({ format: 'date', example: '2026-03-06', description: "When the household must leave: the notice's expiry or the bailiffs' date; not before servedOn" })
  @IsCalendarDate()
  @NotBeforeServed()
  leaveBy!: string;

  @ApiProperty({ enum: EVICTION_REASON_CODES })
  @IsIn(EVICTION_REASON_CODES)
  reason!: (typeof EVICTION_REASON_CODES)[number];

  @ApiPropertyOptional({ example: 2140.5, description: 'Required when RENT_ARREARS: the arrears in pounds' })
  @RequiredOnlyWhen((e: EvictionDto) => e.reason === 'RENT_ARREARS', 'reason is RENT_ARREARS')
  @IsNumber({ maxDecimalPlaces: 2 }, { message: '$property must be an amount in pounds with at most 2 decimal places, e.g. 2140.50' })
  @Min(0)
  @Max(1_000_000)
  arrearsPounds?: number;

  @ApiProperty({ enum: ['COUNCIL', 'HOUSING_ASSOCIATION', 'PRIVATE'] })
  @IsIn(['COUNCIL', 'HOUSING_ASSOCIATION', 'PRIVATE'])
  landlord!: 'COUNCIL' | 'HOUSING_ASSOCIATION' | 'PRIVATE';
}

export class HousingNoticeDto {
  @ApiProperty({ example: 'HOU/2026/004512', description: "The council's housing case reference (2 to 6 capital letters, the year, a number); sending it again is safe" })
  @Matches(CASE_REFERENCE_PATTERN, {
    message: "$property must be the council's housing case reference: 2 to 6 capital letters, the year and a number, e.g. HOU/2026/004512",
  })
  caseReference!: string;

  @ApiProperty({ enum: HOUSING_NOTICE_KIND_CODES, description: 'Which notice this is; its section (dutyToRefer, antiSocialBehaviour or eviction) is required, and the others refused' })
  @IsIn(HOUSING_NOTICE_KIND_CODES)
  kind!: HousingNoticeKindCode;

  @ApiProperty({ example: '2026-03-02T09:30:00Z', description: 'When the notice was raised' })
  @IsPastInstant()
  raisedAt!: string;

  @ApiProperty({ type: HousingOfficerDto })
  @ValidateNested()
  @Type(() => HousingOfficerDto)
  officer!: HousingOfficerDto;

  @ApiProperty({ type: HouseholdDto })
  @IncludesAChild()
  @ValidateNested()
  @Type(() => HouseholdDto)
  household!: HouseholdDto;

  @ApiProperty({ description: 'What has happened and why the officer is concerned for the children, factually' })
  @IsString()
  @Length(1, 20000)
  summary!: string;

  @ApiProperty({ enum: HOUSING_CONCERNS, isArray: true, description: 'What the officer saw that bears on the children (may be empty)' })
  @IsArray()
  @ArrayUnique()
  @IsIn(HOUSING_CONCERNS, { each: true })
  concerns!: HousingConcern[];

  @ApiProperty({ type: HousingConsentDto })
  @ConsentedWhenDutyToRefer()
  @ValidateNested()
  @Type(() => HousingConsentDto)
  consent!: HousingConsentDto;

  @ApiPropertyOptional({ type: DutyToReferDto, description: 'Required when kind is DUTY_TO_REFER' })
  @RequiredOnlyWhen((n: HousingNoticeDto) => n.kind === 'DUTY_TO_REFER', 'kind is DUTY_TO_REFER')
  @ThreatenedWithin56Days()
  @ValidateNested()
  @Type(() => DutyToReferDto)
  dutyToRefer?: DutyToReferDto;

  @ApiPropertyOptional({ type: AntiSocialBehaviourDto, description: 'Required when kind is ANTI_SOCIAL_BEHAVIOUR' })
  @RequiredOnlyWhen((n: HousingNoticeDto) => n.kind === 'ANTI_SOCIAL_BEHAVIOUR', 'kind is ANTI_SOCIAL_BEHAVIOUR')
  @ValidateNested()
  @Type(() => AntiSocialBehaviourDto)
  antiSocialBehaviour?: AntiSocialBehaviourDto;

  @ApiPropertyOptional({ type: EvictionDto, description: 'Required when kind is EVICTION' })
  @RequiredOnlyWhen((n: HousingNoticeDto) => n.kind === 'EVICTION', 'kind is EVICTION')
  @ValidateNested()
  @Type(() => EvictionDto)
  eviction?: EvictionDto;
}
