import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  Equals,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsCalendarDate, IsPastCalendarDate } from '../dates.js';
import { POSTCODE_PATTERN, UPRN_PATTERN } from '../identifiers.js';

/** The Probation Service's case reference number (nDelius CRN): a capital letter and 6 digits, e.g. X123456. */
export const CRN_PATTERN = /^[A-Z]\d{6}$/;

/** Risk of serious harm (RoSH), as the probation practitioner assessed it for children. */
export const RISK_OF_SERIOUS_HARM_LEVELS = ['low', 'medium', 'high', 'very_high'] as const;
export type RiskOfSeriousHarm = (typeof RISK_OF_SERIOUS_HARM_LEVELS)[number];

/** MAPPA categories and levels are 1 to 3. */
export const MAPPA_NUMBERS = [1, 2, 3] as const;
export type MappaNumber = (typeof MAPPA_NUMBERS)[number];

export const OFFENCE_NATURES = [
  'sexual_offence_against_child',
  'indecent_images_of_children',
  'violence_against_child',
  'child_cruelty_or_neglect',
  'domestic_abuse',
  'sexual_offence_against_adult',
  'violence_against_adult',
  'stalking_or_harassment',
  'other',
] as const;
export type OffenceNature = (typeof OFFENCE_NATURES)[number];

/** Who the victim of an offence was to the person on probation. */
export const VICTIM_RELATIONSHIPS = [
  'own_child',
  'stepchild',
  'partners_child',
  'other_child_in_family',
  'child_known_to_them',
  'child_stranger',
  'partner_or_former_partner',
  'other_family_member',
  'adult_known_to_them',
  'adult_stranger',
  'no_identified_victim',
] as const;
export type VictimRelationship = (typeof VICTIM_RELATIONSHIPS)[number];

export const SENTENCE_TYPES = [
  'immediate_custody',
  'extended_determinate_sentence',
  'life_sentence',
  'suspended_sentence_order',
  'community_order',
] as const;
export type SentenceType = (typeof SENTENCE_TYPES)[number];

/** Whether the person on probation will have contact with children. */
export const CHILD_CONTACT = ['planned', 'likely', 'unlikely', 'not_known'] as const;
export type ChildContact = (typeof CHILD_CONTACT)[number];

/** What the person on probation is to a child at risk. */
export const PERSON_ON_PROBATION_IS = [
  'parent',
  'step_parent',
  'parents_partner',
  'grandparent',
  'sibling',
  'other_relative',
  'family_friend',
  'neighbour',
  'no_known_relationship',
  'other',
] as const;
export type PersonOnProbationIs = (typeof PERSON_ON_PROBATION_IS)[number];

export class ProbationPractitioner {
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

export class MappaManagement {
  @IsIn(MAPPA_NUMBERS, { message: '$property must be a MAPPA category: 1, 2 or 3' })
  category!: MappaNumber;

  /** Not yet set until the first MAPPA meeting, or managed at level 1 without one. */
  @IsOptional()
  @IsIn(MAPPA_NUMBERS, { message: '$property must be a MAPPA level: 1, 2 or 3' })
  level?: MappaNumber;
}

export class Offence {
  @IsIn(OFFENCE_NATURES)
  nature!: OffenceNature;

  /** The offence as the court recorded it, e.g. "Sexual assault of a child under 13 (Sexual Offences Act 2003 s7)". */
  @IsString()
  @Length(1, 500)
  description!: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(120)
  victimAgeAtOffence?: number;

  @IsIn(VICTIM_RELATIONSHIPS)
  victimRelationship!: VictimRelationship;

  @IsOptional()
  @IsPastCalendarDate()
  convictedOn?: string;
}

export class Sentence {
  @IsIn(SENTENCE_TYPES)
  type!: SentenceType;

  /** The length the court gave, in months; none for a life sentence. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1200)
  lengthMonths?: number;

  @IsPastCalendarDate()
  sentencedOn!: string;

  /** When the sentence (licence included) ends; usually in the future. */
  @IsOptional()
  @IsCalendarDate()
  expiresOn?: string;
}

export class ReleasePlan {
  /** The (expected) release from custody; may be in the future. */
  @IsOptional()
  @IsCalendarDate()
  releaseDate?: string;

  @IsOptional()
  @IsCalendarDate()
  licenceExpiresOn?: string;

  /** Licence conditions that bear on children, as worded on the licence. */
  @IsArray()
  @ArrayMaxSize(30)
  @IsString({ each: true })
  @Length(1, 1000, { each: true })
  licenceConditions!: string[];
}

export class ProbationAddress {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(5)
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  lines!: string[];

  @IsOptional()
  @Matches(POSTCODE_PATTERN, { message: '$property must be a UK postcode in capitals, e.g. SW1A 1AA' })
  postcode?: string;

  @IsOptional()
  @Matches(UPRN_PATTERN, { message: '$property must be a UPRN of 1 to 12 digits' })
  uprn?: string;
}

/** What the person on probation is to one child of `subjects.children`. */
export class ChildRelationship {
  @IsInt()
  @Min(0)
  @Max(19)
  childIndex!: number;

  @IsIn(PERSON_ON_PROBATION_IS)
  personOnProbationIs!: PersonOnProbationIs;
}

/** An adult of `subjects.adults` who lives with the person on probation, and who they are to them. */
export class HouseholdMember {
  @IsInt()
  @Min(0)
  @Max(49)
  adultIndex!: number;

  @IsString()
  @Length(1, 100)
  relationshipToPersonOnProbation!: string;
}

/** What only a probation risk-to-children notice carries: version 1 of the probation part. */
export class ProbationDetails {
  @Equals('probation')
  agency!: 'probation';

  @Equals(1, { message: '$property must be 1: the only version of the probation details' })
  version!: 1;

  @Matches(CRN_PATTERN, { message: '$property must be a probation case reference number: a capital letter and 6 digits, e.g. X123456' })
  crn!: string;

  @IsIn(RISK_OF_SERIOUS_HARM_LEVELS)
  riskOfSeriousHarmToChildren!: RiskOfSeriousHarm;

  /** Absent when the person is not managed under MAPPA. */
  @IsOptional()
  @ValidateNested()
  @Type(() => MappaManagement)
  mappa?: MappaManagement;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => Offence)
  offences!: Offence[];

  @ValidateNested()
  @Type(() => Sentence)
  sentence!: Sentence;

  @IsOptional()
  @ValidateNested()
  @Type(() => ReleasePlan)
  release?: ReleasePlan;

  /** Where the person on probation proposes to live (their current address is on their subject entry). */
  @IsOptional()
  @ValidateNested()
  @Type(() => ProbationAddress)
  proposedAddress?: ProbationAddress;

  @IsIn(CHILD_CONTACT)
  childContact!: ChildContact;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ChildRelationship)
  childRelationships!: ChildRelationship[];

  @IsArray()
  @ArrayMaxSize(49)
  @ValidateNested({ each: true })
  @Type(() => HouseholdMember)
  householdMembers!: HouseholdMember[];

  @ValidateNested()
  @Type(() => ProbationPractitioner)
  practitioner!: ProbationPractitioner;
}
