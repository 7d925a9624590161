import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { PartnerAddressDto, PartnerConsentDto } from '#adapter-kit';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  CRN_PATTERN,
  IsCalendarDate,
  IsNhsNumber,
  IsPastCalendarDate,
  IsPastInstant,
  IsPersonName,
} from '#contracts';

/*
 * The Probation Service's own shape for a risk-to-children notice, as its case
 * management system sends it when a person on probation may pose a risk to
 * children: on sentence, before release, or when an address or contact with
 * children is proposed. Upper-case code values, as probation systems write them.
 */

export const OFFENCE_NATURE_CODES = [
  'SEXUAL_OFFENCE_AGAINST_CHILD',
  'INDECENT_IMAGES_OF_CHILDREN',
  'VIOLENCE_AGAINST_CHILD',
  'CHILD_CRUELTY_OR_NEGLECT',
  'DOMESTIC_ABUSE',
  'SEXUAL_OFFENCE_AGAINST_ADULT',
  'VIOLENCE_AGAINST_ADULT',
  'STALKING_OR_HARASSMENT',
  'OTHER',
] as const;
export type OffenceNatureCode = (typeof OFFENCE_NATURE_CODES)[number];

export const VICTIM_RELATIONSHIP_CODES = [
  'OWN_CHILD',
  'STEPCHILD',
  'PARTNERS_CHILD',
  'OTHER_CHILD_IN_FAMILY',
  'CHILD_KNOWN_TO_THEM',
  'CHILD_STRANGER',
  'PARTNER_OR_FORMER_PARTNER',
  'OTHER_FAMILY_MEMBER',
  'ADULT_KNOWN_TO_THEM',
  'ADULT_STRANGER',
  'NO_IDENTIFIED_VICTIM',
] as const;
export type VictimRelationshipCode = (typeof VICTIM_RELATIONSHIP_CODES)[number];

export const SENTENCE_TYPE_CODES = [
  'IMMEDIATE_CUSTODY',
  'EXTENDED_DETERMINATE_SENTENCE',
  'LIFE_SENTENCE',
  'SUSPENDED_SENTENCE_ORDER',
  'COMMUNITY_ORDER',
] as const;
export type SentenceTypeCode = (typeof SENTENCE_TYPE_CODES)[number];

export const PERSON_ON_PROBATION_IS_CODES = [
  'PARENT',
  'STEP_PARENT',
  'PARENTS_PARTNER',
  'GRANDPARENT',
  'SIBLING',
  'OTHER_RELATIVE',
  'FAMILY_FRIEND',
  'NEIGHBOUR',
  'NO_KNOWN_RELATIONSHIP',
  'OTHER',
] as const;
export type PersonOnProbationIsCode = (typeof PERSON_ON_PROBATION_IS_CODES)[number];

export const CHILD_CONTACT_CODES = ['PLANNED', 'LIKELY', 'UNLIKELY', 'NOT_KNOWN'] as const;
export const ROSH_CODES = ['LOW', 'MEDIUM', 'HIGH', 'VERY_HIGH'] as const;
export type RoshCode = (typeof ROSH_CODES)[number];



export class PractitionerDto {
  @ApiProperty({ example: 'Pat Practitioner', description: 'The probation practitioner managing the case' })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiPropertyOptional({ example: 'Exampletown Probation Delivery Unit' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  team?: string;

  @ApiProperty({ example: '01234 567891', description: 'Telephone or secure e-mail' })
  @IsString()
  @Length(3, 200)
  contact!: string;
}

export class PersonOnProbationDto {
  @ApiProperty({ example: 'Carl' })
  @IsPersonName()
  forename!: string;

  @ApiProperty({ example: 'Sample' })
  @IsPersonName()
  surname!: string;

  @ApiProperty({ example: '1988-09-02', format: 'date' })
  @IsPastCalendarDate()
  dateOfBirth!: string;

  @ApiPropertyOptional({ type: PartnerAddressDto, description: 'Where they live now (in custody: leave out)' })
  @IsOptional()
  @ValidateNested()
  @Type(() => PartnerAddressDto)
  currentAddress?: PartnerAddressDto;
}

export class OffenceDto {
  @ApiProperty({ enum: OFFENCE_NATURE_CODES })
  @IsIn(OFFENCE_NATURE_CODES)
  nature!: OffenceNatureCode;

  @ApiProperty({ example: 'Sexual assault of a child under 13 (Sexual Offences Act 2003 s7)', description: 'The offence as convicted' })
  @IsString()
  @Length(1, 500)
  description!: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 120, description: "The victim's age when the offence was committed" })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(120)
  victimAgeAtOffence?: number;

  @ApiProperty({ enum: VICTIM_RELATIONSHIP_CODES, description: 'Who the victim was to the person on probation' })
  @IsIn(VICTIM_RELATIONSHIP_CODES)
  victimRelationship!: VictimRelationshipCode;

  @ApiPropertyOptional({ format: 'date' })
  @IsOptional()
  @IsPastCalendarDate()
  convictedOn?: string;
}

export class SentenceDto {
  @ApiProperty({ enum: SENTENCE_TYPE_CODES })
  @IsIn(SENTENCE_TYPE_CODES)
  type!: SentenceTypeCode;

  @ApiPropertyOptional({ minimum: 1, maximum: 1200, description: 'Required unless LIFE_SENTENCE (then the minimum term, if one is set)' })
  @ValidateIf((s: SentenceDto) => s.type !== 'LIFE_SENTENCE' || s.lengthMonths !== undefined)
  @IsInt({ message: '$property is required, in whole months, unless the sentence is LIFE_SENTENCE' })
  @Min(1)
  @Max(1200)
  lengthMonths?: number;

  @ApiProperty({ format: 'date' })
  @IsPastCalendarDate()
  sentencedOn!: string;

  @ApiPropertyOptional({ format: 'date', description: 'Sentence expiry date; usually in the future' })
  @IsOptional()
  @IsCalendarDate()
  expiresOn?: string;
}

export class ReleasePlanDto {
  @ApiPropertyOptional({ format: 'date', description: 'Release from custody, actual or expected' })
  @IsOptional()
  @IsCalendarDate()
  releaseDate?: string;

  @ApiPropertyOptional({ format: 'date' })
  @IsOptional()
  @IsCalendarDate()
  licenceExpiresOn?: string;

  @ApiProperty({ type: [String], description: 'Licence conditions that bear on children, as worded on the licence (may be empty)' })
  @IsArray()
  @ArrayMaxSize(30)
  @IsString({ each: true })
  @Length(1, 1000, { each: true })
  licenceConditions!: string[];
}

export class HouseholdMemberDto {
  @ApiProperty({ example: 'Beth' })
  @IsPersonName()
  forename!: string;

  @ApiProperty({ example: 'Example' })
  @IsPersonName()
  surname!: string;

  @ApiPropertyOptional({ format: 'date' })
  @IsOptional()
  @IsPastCalendarDate()
  dateOfBirth?: string;

  @ApiProperty({ example: 'partner', description: 'Who they are to the person on probation' })
  @IsString()
  @Length(1, 100)
  relationshipToPersonOnProbation!: string;
}

export class ChildAtRiskDto {
  @ApiProperty({ example: 'Amy' })
  @IsPersonName()
  forename!: string;

  @ApiProperty({ example: 'Example' })
  @IsPersonName()
  surname!: string;

  @ApiProperty({ example: '2015-06-14', format: 'date' })
  @IsPastCalendarDate()
  dateOfBirth!: string;

  @ApiPropertyOptional({ example: '9990000379', description: 'Where known; checked by modulus 11' })
  @IsOptional()
  @IsNhsNumber()
  nhsNumber?: string;

  @ApiPropertyOptional({ type: PartnerAddressDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => PartnerAddressDto)
  address?: PartnerAddressDto;

  @ApiProperty({ enum: PERSON_ON_PROBATION_IS_CODES, description: "What the person on probation is to this child, e.g. PARENTS_PARTNER: the partner of the child's parent" })
  @IsIn(PERSON_ON_PROBATION_IS_CODES)
  personOnProbationIs!: PersonOnProbationIsCode;
}

export class MappaDto {
  @ApiProperty({ enum: [1, 2, 3], description: 'MAPPA category' })
  @IsIn([1, 2, 3], { message: '$property must be a MAPPA category: 1, 2 or 3' })
  category!: 1 | 2 | 3;

  @ApiPropertyOptional({ enum: [1, 2, 3], description: 'MAPPA management level, once set' })
  @IsOptional()
  @IsIn([1, 2, 3], { message: '$property must be a MAPPA level: 1, 2 or 3' })
  level?: 1 | 2 | 3;
}



export class ProbationNoticeDto {
  @ApiProperty({ example: 'X123456', description: 'The case reference number (CRN) of the person on probation' })
  @Matches(CRN_PATTERN, { message: '$property must be a case reference number: a capital letter and 6 digits, e.g. X123456' })
  crn!: string;

  @ApiProperty({
    example: 3,
    minimum: 1,
    maximum: 9999,
    description: "This notice's number within the case; with the CRN it is the reference (X123456/3), and sending it again is safe",
  })
  @IsInt()
  @Min(1)
  @Max(9999)
  noticeNumber!: number;

  @ApiProperty({ example: '2026-03-02T08:15:00Z', description: 'When the notice was raised' })
  @IsPastInstant()
  raisedAt!: string;

  @ApiProperty({ type: PractitionerDto })
  @ValidateNested()
  @Type(() => PractitionerDto)
  practitioner!: PractitionerDto;

  @ApiProperty({ type: PersonOnProbationDto })
  @ValidateNested()
  @Type(() => PersonOnProbationDto)
  personOnProbation!: PersonOnProbationDto;

  @ApiProperty({ type: [OffenceDto], description: 'The offences the sentence is for; at least one' })
  @IsArray()
  @ArrayMinSize(1, { message: 'a notice must name at least one offence' })
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => OffenceDto)
  offences!: OffenceDto[];

  @ApiProperty({ type: SentenceDto })
  @ValidateNested()
  @Type(() => SentenceDto)
  sentence!: SentenceDto;

  @ApiPropertyOptional({ type: ReleasePlanDto, description: 'For a custodial sentence: release and licence' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ReleasePlanDto)
  release?: ReleasePlanDto;

  @ApiPropertyOptional({ type: PartnerAddressDto, description: 'Where the person on probation proposes to live' })
  @IsOptional()
  @ValidateNested()
  @Type(() => PartnerAddressDto)
  proposedAddress?: PartnerAddressDto;

  @ApiProperty({
    type: [HouseholdMemberDto],
    description: 'The adults they live with, or will at the proposed address (children at risk go in childrenAtRisk); may be empty',
  })
  @IsArray()
  @ArrayMaxSize(49)
  @ValidateNested({ each: true })
  @Type(() => HouseholdMemberDto)
  householdMembers!: HouseholdMemberDto[];

  @ApiProperty({ type: [ChildAtRiskDto] })
  @IsArray()
  @ArrayMinSize(1, { message: 'a notice must name at least one child at risk' })
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ChildAtRiskDto)
  childrenAtRisk!: ChildAtRiskDto[];

  @ApiProperty({ enum: CHILD_CONTACT_CODES, description: 'Whether the person on probation will have contact with children' })
  @IsIn(CHILD_CONTACT_CODES)
  childContact!: (typeof CHILD_CONTACT_CODES)[number];

  @ApiPropertyOptional({ type: MappaDto, description: 'Leave out when the person is not managed under MAPPA' })
  @IsOptional()
  @ValidateNested()
  @Type(() => MappaDto)
  mappa?: MappaDto;

  @ApiProperty({ enum: ROSH_CODES, description: 'Risk of serious harm to children, as assessed' })
  @IsIn(ROSH_CODES)
  riskOfSeriousHarmToChildren!: RoshCode;

  @ApiProperty({ description: 'The risk to children, factually, in the practitioner\'s words' })
  @IsString()
  @Length(1, 20000)
  riskSummary!: string;

  @ApiProperty({ type: PartnerConsentDto })
  @ValidateNested()
  @Type(() => PartnerConsentDto)
  consent!: PartnerConsentDto;
}
