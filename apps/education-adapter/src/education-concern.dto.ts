import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { PartnerAddressDto, PartnerConsentDto } from '#adapter-kit';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
  ValidateIf,
  ValidateNested,
  registerDecorator,
  type ValidationArguments,
  type ValidationOptions,
} from 'class-validator';
import {
  IsPastCalendarDate,
  IsPastInstant,
  LOCAL_AUTHORITY_CODE_PATTERN,
  IsPersonName,
  SCHOOL_URN_PATTERN,
  YEAR_GROUPS,
  type YearGroup,
} from '#contracts';
import { IsUpn } from './upn.js';

/*
 * The education format: a safeguarding concern as a school's safeguarding
 * record system, or the virtual school's, sends it once the designated
 * safeguarding lead (DSL) has decided to share it. Code values are upper
 * case, as the police format's are.
 */

/** The school's or virtual school's own concern reference: a prefix, the year and a serial number, e.g. SC-2026-000451. */
export const CONCERN_REFERENCE_PATTERN = /^[A-Z]{2,10}-\d{4}-\d{1,8}$/;

export const EDUCATION_CONCERNS = [
  'PHYSICAL_ABUSE',
  'EMOTIONAL_ABUSE',
  'SEXUAL_ABUSE',
  'NEGLECT',
  'DOMESTIC_ABUSE',
  'CHILD_SEXUAL_EXPLOITATION',
  'CHILD_CRIMINAL_EXPLOITATION',
  'GANGS',
  'TRAFFICKING',
  'MISSING',
  'SELF_HARM',
  'MENTAL_HEALTH',
  'PUPIL_ALCOHOL_MISUSE',
  'PUPIL_DRUG_MISUSE',
  'PARENTAL_ALCOHOL_MISUSE',
  'PARENTAL_DRUG_MISUSE',
  'PARENTAL_MENTAL_HEALTH',
  'YOUNG_CARER',
  'FGM',
  'FAITH_OR_BELIEF_ABUSE',
  'RADICALISATION',
  'OTHER',
] as const;
export type EducationConcern = (typeof EDUCATION_CONCERNS)[number];

export const RAISED_BY = ['SCHOOL', 'VIRTUAL_SCHOOL'] as const;
export const DSL_DECISION_CODES = ['REFER_TO_MASH', 'EARLY_HELP', 'MONITOR'] as const;
export const LINK_CODES = ['SIBLING', 'WITNESS', 'ALLEGED_TO_HAVE_HARMED', 'ALSO_AFFECTED', 'OTHER'] as const;
export const LOOKED_AFTER_CODES = ['S20', 'S31_CARE_ORDER', 'S38_INTERIM_CARE_ORDER', 'PREVIOUSLY_LOOKED_AFTER'] as const;
export const ADULT_ROLE_CODES = ['PARENT', 'CARER', 'ALLEGED_TO_HAVE_HARMED', 'OTHER'] as const;

/** Who is sending, set on each pupil by the concern while it is read. */
const RAISED_BY_KEY = Symbol('raisedBy');

/** A school sends its own URN; a virtual school has none to send. */
function IsSendingSchoolUrn(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isSendingSchoolUrn',
      target: target.constructor,
      propertyName,
      options,
      validator: {
        validate(value: unknown, args: ValidationArguments): boolean {
          if ((args.object as EducationConcernDto).raisedBy === 'VIRTUAL_SCHOOL') return value === undefined;
          return typeof value === 'string' && SCHOOL_URN_PATTERN.test(value);
        },
        defaultMessage(args: ValidationArguments): string {
          return (args.object as EducationConcernDto).raisedBy === 'VIRTUAL_SCHOOL'
            ? "$property must not be sent by a virtual school, which has no URN: give the child's school as pupils[].schoolUrn"
            : '$property must be the 6-digit URN of the school raising the concern';
        },
      },
    });
}


export class StaffMemberDto {
  @ApiProperty({ example: 'Tom Teacher' })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({ example: 'Class teacher, Year 5' })
  @IsString()
  @Length(1, 100)
  role!: string;
}

export class DesignatedSafeguardingLeadDto extends StaffMemberDto {
  @ApiProperty({ example: '020 7946 0000', description: 'Telephone or secure e-mail, so the MASH can call back' })
  @IsString()
  @Length(3, 200)
  contact!: string;
}


export class VoiceOfChildDto {
  @ApiProperty({ description: 'Did the member of staff see the pupil?' })
  @IsBoolean()
  seen!: boolean;

  @ApiProperty({ description: 'Did the pupil speak to a member of staff about it?' })
  @IsBoolean()
  spokenTo!: boolean;

  @ApiPropertyOptional({ description: "What the pupil said, in the pupil's own words, as written down at the time" })
  @IsOptional()
  @IsString()
  @Length(1, 5000)
  words?: string;
}

export class BodyMapMarkDto {
  @ApiProperty({ example: 'left upper arm, outer side' })
  @IsString()
  @Length(1, 200)
  location!: string;

  @ApiProperty({ example: 'four oval bruises in a row, each about 1 cm, blue-purple' })
  @IsString()
  @Length(1, 2000)
  description!: string;
}

export class LookedAfterDto {
  @ApiProperty({ enum: LOOKED_AFTER_CODES, description: 'S20: accommodated under s20 Children Act 1989; S31 or S38: under a (interim) care order; PREVIOUSLY_LOOKED_AFTER: left care by adoption, SGO or CAO' })
  @IsIn(LOOKED_AFTER_CODES)
  status!: (typeof LOOKED_AFTER_CODES)[number];

  @ApiProperty({ example: 'E09000028', description: 'The responsible council, by its ONS local authority code' })
  @Matches(LOCAL_AUTHORITY_CODE_PATTERN, { message: '$property must be an ONS local authority code, e.g. E09000028' })
  responsibleLocalAuthority!: string;
}

/** A pupil the concern is about: each becomes a child on the notification and gets a contact. */
export class ConcernPupilDto {
  @ApiProperty({ example: 'Maya' })
  @IsPersonName()
  forename!: string;

  @ApiProperty({ example: 'Example' })
  @IsPersonName()
  surname!: string;

  @ApiProperty({ example: '2016-09-03', format: 'date' })
  @IsPastCalendarDate()
  dateOfBirth!: string;

  @ApiPropertyOptional({ example: 'D820400126001', description: 'Unique Pupil Number, checked by its check letter' })
  @IsOptional()
  @IsUpn()
  upn?: string;

  @ApiProperty({ enum: YEAR_GROUPS, description: 'School census year group: N1, N2, R, 1 to 14, or X (not following the national curriculum)' })
  @IsIn(YEAR_GROUPS)
  yearGroup!: YearGroup;

  @ApiPropertyOptional({ type: PartnerAddressDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => PartnerAddressDto)
  address?: PartnerAddressDto;

  @ApiPropertyOptional({ example: '100234', description: "From a virtual school: the URN of the school the child attends (a school's own URN is its credential's)" })
  @IsOptional()
  @Matches(SCHOOL_URN_PATTERN, { message: '$property must be a 6-digit school URN' })
  schoolUrn?: string;

  @ApiProperty({ type: VoiceOfChildDto })
  @ValidateNested()
  @Type(() => VoiceOfChildDto)
  voiceOfChild!: VoiceOfChildDto;

  @ApiProperty({ type: [BodyMapMarkDto], description: 'Marks seen, as words; empty when none were seen' })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => BodyMapMarkDto)
  bodyMap!: BodyMapMarkDto[];

  @ApiPropertyOptional({ type: LookedAfterDto, description: 'Required when the virtual school sends; a school may give it too' })
  @ValidateIf((p: ConcernPupilDto) => p[RAISED_BY_KEY] === 'VIRTUAL_SCHOOL' || p.lookedAfter !== undefined)
  @IsDefined({ message: "$property is required when the virtual school sends: the child's looked-after status and responsible council" })
  @ValidateNested()
  @Type(() => LookedAfterDto)
  lookedAfter?: LookedAfterDto;

  /** Who sends, from the concern (a symbol: not a field of the format). */
  [RAISED_BY_KEY]?: unknown;
}

/** A pupil named in the concern who is not its subject: recorded with the connection, no contact is made for them. */
export class LinkedPupilDto {
  @ApiProperty({ example: 'Leo' })
  @IsPersonName()
  forename!: string;

  @ApiProperty({ example: 'Example' })
  @IsPersonName()
  surname!: string;

  @ApiPropertyOptional({ format: 'date' })
  @IsOptional()
  @IsPastCalendarDate()
  dateOfBirth?: string;

  @ApiPropertyOptional({ enum: YEAR_GROUPS })
  @IsOptional()
  @IsIn(YEAR_GROUPS)
  yearGroup?: YearGroup;

  @ApiProperty({ enum: LINK_CODES, description: "How the pupil is connected to the concern; it never makes them a subject" })
  @IsIn(LINK_CODES)
  connection!: (typeof LINK_CODES)[number];
}

export class ConcernAdultDto {
  @ApiProperty({ example: 'Rachel' })
  @IsPersonName()
  forename!: string;

  @ApiProperty({ example: 'Example' })
  @IsPersonName()
  surname!: string;

  @ApiPropertyOptional({ format: 'date' })
  @IsOptional()
  @IsPastCalendarDate()
  dateOfBirth?: string;

  @ApiProperty({ enum: ADULT_ROLE_CODES })
  @IsIn(ADULT_ROLE_CODES)
  role!: (typeof ADULT_ROLE_CODES)[number];

  @ApiPropertyOptional({ example: 'mother' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  relationshipToPupil?: string;
}


export class EducationConcernDto {
  @ApiProperty({ example: 'SC-2026-000451', description: "The school's or virtual school's own concern reference: 2 to 10 capital letters, the year, a serial number; sending it again is safe" })
  @Matches(CONCERN_REFERENCE_PATTERN, { message: '$property must be 2 to 10 capital letters, a hyphen, the 4-digit year, a hyphen and up to 8 digits, e.g. SC-2026-000451' })
  concernReference!: string;

  @ApiProperty({ enum: RAISED_BY, description: "SCHOOL: a school's DSL, under the school's URN; VIRTUAL_SCHOOL: the council's virtual school head, under the council's ONS code" })
  @IsIn(RAISED_BY)
  raisedBy!: (typeof RAISED_BY)[number];

  @ApiPropertyOptional({ example: '123456', description: "Required from a school: its own URN, which must be its credential's. Not sent by a virtual school" })
  @ValidateIf((c: EducationConcernDto) => c.raisedBy !== 'VIRTUAL_SCHOOL' || c.schoolUrn !== undefined)
  @IsSendingSchoolUrn()
  schoolUrn?: string;

  @ApiProperty({ example: '2026-03-04T10:20:00Z', description: 'When the DSL decided to share the concern' })
  @IsPastInstant()
  raisedAt!: string;

  @ApiPropertyOptional({ example: '2026-03-04T08:50:00Z', description: 'When the concern was noticed or the disclosure made' })
  @IsOptional()
  @IsPastInstant()
  observedAt?: string;

  @ApiProperty({ type: DesignatedSafeguardingLeadDto })
  @ValidateNested()
  @Type(() => DesignatedSafeguardingLeadDto)
  designatedSafeguardingLead!: DesignatedSafeguardingLeadDto;

  @ApiProperty({ type: [ConcernPupilDto], description: 'The pupils the concern is about: each gets a contact' })
  // Each pupil learns who is sending, so that a virtual school's missing looked-after status is reported at its own path.
  @Transform(({ value, obj }) => {
    if (Array.isArray(value)) for (const pupil of value) if (pupil && typeof pupil === 'object') (pupil as ConcernPupilDto)[RAISED_BY_KEY] = obj.raisedBy;
    return value;
  })
  @IsArray()
  @ArrayMinSize(1, { message: 'a concern must be about at least one pupil' })
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => ConcernPupilDto)
  pupils!: ConcernPupilDto[];

  @ApiPropertyOptional({ type: [LinkedPupilDto], description: 'Other pupils named in the concern, with their connection; none of them gets a contact' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(30)
  @ValidateNested({ each: true })
  @Type(() => LinkedPupilDto)
  linkedPupils?: LinkedPupilDto[];

  @ApiPropertyOptional({ type: [ConcernAdultDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ConcernAdultDto)
  adults?: ConcernAdultDto[];

  @ApiProperty({ enum: EDUCATION_CONCERNS, isArray: true })
  @IsArray()
  @ArrayMinSize(1, { message: 'a concern must have at least one category' })
  @ArrayUnique()
  @IsIn(EDUCATION_CONCERNS, { each: true })
  concerns!: EducationConcern[];

  @ApiProperty({ description: 'What was seen and heard, factually, with times' })
  @IsString()
  @Length(1, 20000)
  narrative!: string;

  @ApiProperty({ type: [StaffMemberDto], description: 'Staff who reported it or were told' })
  @IsArray()
  @ArrayMaxSize(30)
  @ValidateNested({ each: true })
  @Type(() => StaffMemberDto)
  staffAlerted!: StaffMemberDto[];

  @ApiProperty({ type: [String], example: ['Body map completed by the DSL at 09:30'] })
  @IsArray()
  @ArrayMaxSize(30)
  @IsString({ each: true })
  @Length(1, 1000, { each: true })
  actionsTaken!: string[];

  @ApiProperty({ description: 'The DSL judges the pupil in immediate danger: the concern is sent red' })
  @IsBoolean()
  immediateDanger!: boolean;

  @ApiProperty({ enum: DSL_DECISION_CODES, description: 'The DSL decision; a concern reaching the MASH is normally REFER_TO_MASH' })
  @IsIn(DSL_DECISION_CODES)
  dslDecision!: (typeof DSL_DECISION_CODES)[number];

  @ApiProperty({ type: PartnerConsentDto })
  @ValidateNested()
  @Type(() => PartnerConsentDto)
  consent!: PartnerConsentDto;
}
