import { Type } from 'class-transformer';
import {
  registerDecorator,
  type ValidationArguments,
  type ValidationOptions,
  ArrayMaxSize,
  ArrayMinSize,
  Equals,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsPastCalendarDate } from '../dates.js';
import { LOCAL_AUTHORITY_CODE_PATTERN, SCHOOL_URN_PATTERN } from '../identifiers.js';
import { IsPersonName } from '../person-name.js';

/** Who raised the concern: a school's DSL, or the council's virtual school head for a child in care. */
export const EDUCATION_SENDERS = ['school', 'virtual_school'] as const;
export type EducationSender = (typeof EDUCATION_SENDERS)[number];

/** The DSL's decision on the concern (Keeping Children Safe in Education). */
export const DSL_DECISIONS = ['refer_to_mash', 'early_help', 'monitor'] as const;
export type DslDecision = (typeof DSL_DECISIONS)[number];

/** School census year groups (NCyearActual): nursery 1 and 2, reception, years 1 to 14, X not following the national curriculum. */
export const YEAR_GROUPS = ['N1', 'N2', 'R', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13', '14', 'X'] as const;
export type YearGroup = (typeof YEAR_GROUPS)[number];

/** How a linked pupil is connected to the concern. Linking never makes a pupil a subject. */
export const LINKED_PUPIL_CONNECTIONS = ['sibling', 'witness', 'alleged_to_have_harmed', 'also_affected', 'other'] as const;
export type LinkedPupilConnection = (typeof LINKED_PUPIL_CONNECTIONS)[number];

/** A child's looked-after status, as the virtual school records it. */
export const LOOKED_AFTER_STATUSES = [
  'looked_after_s20',
  'looked_after_s31_care_order',
  'looked_after_s38_interim_care_order',
  'previously_looked_after',
] as const;
export type LookedAfterStatus = (typeof LOOKED_AFTER_STATUSES)[number];

/** Unique Pupil Number: a check letter, 11 digits, and a digit or (temporary UPN) a letter; I, O and S are never used. */
export const UPN_PATTERN = /^[A-HJ-NP-RT-Z]\d{11}[0-9A-HJ-NP-RT-Z]$/;

/** A mark seen on the pupil, recorded as words (no images travel). */
export class BodyMapEntry {
  @IsString()
  @Length(1, 200)
  location!: string;

  @IsString()
  @Length(1, 2000)
  description!: string;
}

/** What the school knows of one pupil the concern is about, in the same order as `subjects.children`. */
export class EducationPupil {
  @IsOptional()
  @Matches(UPN_PATTERN, { message: '$property must be a 13-character Unique Pupil Number' })
  upn?: string;

  @IsIn(YEAR_GROUPS)
  yearGroup!: YearGroup;

  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => BodyMapEntry)
  bodyMap!: BodyMapEntry[];

  /** Required from a virtual school: the child is, or was, in care. */
  @IsOptional()
  @IsIn(LOOKED_AFTER_STATUSES)
  lookedAfterStatus?: LookedAfterStatus;

  /** The council responsible for the child in care (ONS local authority code). */
  @IsOptional()
  @Matches(LOCAL_AUTHORITY_CODE_PATTERN, { message: '$property must be an ONS local authority code, e.g. E09000028' })
  responsibleLocalAuthority?: string;
}

/** A pupil named in the concern who is not its subject: recorded with their connection, never given a contact. */
export class LinkedPupil {
  @IsPersonName()
  givenName!: string;

  @IsPersonName()
  familyName!: string;

  @IsOptional()
  @IsPastCalendarDate()
  dateOfBirth?: string;

  @IsOptional()
  @IsIn(YEAR_GROUPS)
  yearGroup?: YearGroup;

  @IsIn(LINKED_PUPIL_CONNECTIONS)
  connection!: LinkedPupilConnection;
}

export class StaffMember {
  @IsString()
  @Length(1, 100)
  name!: string;

  @IsString()
  @Length(1, 100)
  role!: string;
}

/** From a virtual school, every pupil's looked-after status and responsible council are required: they are why it sends. */
function HasLookedAfterStatusFromVirtualSchool(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'hasLookedAfterStatusFromVirtualSchool',
      target: target.constructor,
      propertyName,
      options,
      validator: {
        validate(value: unknown, args: ValidationArguments): boolean {
          if ((args.object as EducationDetails).sender !== 'virtual_school' || !Array.isArray(value)) return true;
          return value.every((pupil: Partial<EducationPupil>) => !!pupil?.lookedAfterStatus && !!pupil?.responsibleLocalAuthority);
        },
        defaultMessage: () => '$property must each have a lookedAfterStatus and a responsibleLocalAuthority when a virtual school sends',
      },
    });
}

/** The DSL who made the decision, and how the MASH reaches them. */
export class DesignatedSafeguardingLead extends StaffMember {
  /** A telephone number or a secure e-mail address. */
  @IsString()
  @Length(3, 200)
  contact!: string;
}

/** What only a concern from a school or the virtual school carries: version 1 of the education part. */
export class EducationDetails {
  @Equals('education')
  agency!: 'education';

  @Equals(1, { message: '$property must be 1: the only version of the education details' })
  version!: 1;

  @IsIn(EDUCATION_SENDERS)
  sender!: EducationSender;

  /** The sending school's URN; a virtual school has none (its council's ONS code is the sending organisation). */
  @ValidateIf((d: EducationDetails) => d.sender === 'school' || d.schoolUrn !== undefined)
  @Matches(SCHOOL_URN_PATTERN, { message: '$property must be a 6-digit school URN (required when a school sends)' })
  schoolUrn?: string;

  /** The school's own concern categories, kept as sent (lower case): the DfE factors are coarser. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(30)
  @IsString({ each: true })
  @Length(1, 60, { each: true })
  concernTypes!: string[];

  @IsBoolean()
  immediateDanger!: boolean;

  @IsIn(DSL_DECISIONS)
  dslDecision!: DslDecision;

  @ValidateNested()
  @Type(() => DesignatedSafeguardingLead)
  designatedSafeguardingLead!: DesignatedSafeguardingLead;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @HasLookedAfterStatusFromVirtualSchool()
  @ValidateNested({ each: true })
  @Type(() => EducationPupil)
  pupils!: EducationPupil[];

  @IsArray()
  @ArrayMaxSize(30)
  @ValidateNested({ each: true })
  @Type(() => LinkedPupil)
  linkedPupils!: LinkedPupil[];

  @IsArray()
  @ArrayMaxSize(30)
  @ValidateNested({ each: true })
  @Type(() => StaffMember)
  staffAlerted!: StaffMember[];

  @IsArray()
  @ArrayMaxSize(30)
  @IsString({ each: true })
  @Length(1, 1000, { each: true })
  actionsTaken!: string[];
}
