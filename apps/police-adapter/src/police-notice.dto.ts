import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { PartnerAddressDto, PartnerConsentDto } from '#adapter-kit';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
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
import {
  IsNhsNumber,
  IsPastCalendarDate,
  IsPastInstant,
  PARTNER_REFERENCE_PATTERN,
  IsPersonName,
  SCHOOL_URN_PATTERN,
} from '#contracts';

/*
 * The police's own shape for a public protection notice (PPN), as a force's
 * system sends it. Upper-case code values follow police systems' habit.
 */

export const POLICE_CONCERNS = [
  'DOMESTIC_ABUSE',
  'NEGLECT',
  'PHYSICAL_ABUSE',
  'SEXUAL_ABUSE',
  'EMOTIONAL_ABUSE',
  'CHILD_SEXUAL_EXPLOITATION',
  'CHILD_CRIMINAL_EXPLOITATION',
  'MISSING',
  'PARENTAL_ALCOHOL_MISUSE',
  'PARENTAL_DRUG_MISUSE',
  'PARENTAL_MENTAL_HEALTH',
  'GANGS',
  'TRAFFICKING',
  'FGM',
  'SELF_HARM',
] as const;
export type PoliceConcern = (typeof POLICE_CONCERNS)[number];



export class VoiceOfChild {
  @ApiProperty({ description: 'Was the child seen by an officer?' })
  @IsBoolean()
  seen!: boolean;

  @ApiProperty({ description: 'Was the child spoken to?' })
  @IsBoolean()
  spokenTo!: boolean;

  @ApiPropertyOptional({ description: "What the child said, in the child's words" })
  @IsOptional()
  @IsString()
  @Length(1, 5000)
  account?: string;
}

export class PoliceChild {
  @ApiProperty({ example: 'Amy' })
  @IsPersonName()
  forename!: string;

  @ApiProperty({ example: 'Example' })
  @IsPersonName()
  surname!: string;

  @ApiProperty({ example: '2015-06-14', format: 'date' })
  @IsPastCalendarDate()
  dateOfBirth!: string;

  @ApiPropertyOptional({ example: '9990000379', description: 'Where the force holds it; checked by modulus 11' })
  @IsOptional()
  @IsNhsNumber()
  nhsNumber?: string;

  @ApiPropertyOptional({ type: PartnerAddressDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => PartnerAddressDto)
  address?: PartnerAddressDto;

  @ApiPropertyOptional({ example: '123456', description: "The child's school URN, so the school can be told" })
  @IsOptional()
  @Matches(SCHOOL_URN_PATTERN, { message: '$property must be a 6-digit school URN' })
  schoolUrn?: string;

  @ApiProperty({ description: 'Was the child present at the incident?' })
  @IsBoolean()
  presentAtIncident!: boolean;

  @ApiPropertyOptional({ description: 'Where the child was during the incident', example: 'upstairs bedroom' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  whereabouts?: string;

  @ApiProperty({ description: 'Did officers check on the welfare of the child?' })
  @IsBoolean()
  welfareCheckDone!: boolean;

  @ApiProperty({ type: VoiceOfChild })
  @ValidateNested()
  @Type(() => VoiceOfChild)
  voiceOfChild!: VoiceOfChild;
}

export const POLICE_ADULT_ROLES = ['VICTIM', 'ALLEGED_PERPETRATOR', 'PARENT', 'CARER', 'WITNESS', 'OTHER'] as const;
export type PoliceAdultRole = (typeof POLICE_ADULT_ROLES)[number];

export class PoliceAdult {
  @ApiProperty()
  @IsPersonName()
  forename!: string;

  @ApiProperty()
  @IsPersonName()
  surname!: string;

  @ApiPropertyOptional({ format: 'date' })
  @IsOptional()
  @IsPastCalendarDate()
  dateOfBirth?: string;

  @ApiProperty({ enum: POLICE_ADULT_ROLES })
  @IsIn(POLICE_ADULT_ROLES)
  role!: PoliceAdultRole;

  @ApiPropertyOptional({ example: 'mother' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  relationshipToChildren?: string;
}

export class OfficerInCaseDto {
  @ApiProperty({ example: 'PC Dana Officer' })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiPropertyOptional({ example: '4521' })
  @IsOptional()
  @IsString()
  @Length(1, 20)
  collarNumber?: string;

  @ApiProperty({ example: '01234 567890', description: 'Telephone or secure e-mail' })
  @IsString()
  @Length(3, 200)
  contact!: string;
}

export class IncidentDto {
  @ApiProperty({ example: '2026-03-01T21:40:00Z' })
  @IsPastInstant()
  occurredAt!: string;

  @ApiProperty({ example: '1 Test Street, Exampletown' })
  @IsString()
  @Length(1, 300)
  location!: string;

  @ApiProperty({ description: 'What happened, factually' })
  @IsString()
  @Length(1, 20000)
  circumstances!: string;

  @ApiProperty({ description: 'A domestic abuse incident (Operation Encompass applies)' })
  @IsBoolean()
  domesticAbuse!: boolean;
}

export class PoliceNoticeDto {
  @ApiProperty({ example: 'PPN/2026/000123', description: "The force's own reference; sending it again is safe" })
  @Matches(PARTNER_REFERENCE_PATTERN, {
    message: '$property must be 1 to 100 letters, digits and / _ . - starting with a letter or digit',
  })
  policeReference!: string;

  @ApiProperty({ example: '2026-03-02T08:15:00Z', description: 'When the notice was raised' })
  @IsPastInstant()
  raisedAt!: string;

  @ApiProperty({ type: IncidentDto })
  @ValidateNested()
  @Type(() => IncidentDto)
  incident!: IncidentDto;

  @ApiProperty({ type: OfficerInCaseDto })
  @ValidateNested()
  @Type(() => OfficerInCaseDto)
  officerInCase!: OfficerInCaseDto;

  @ApiProperty({ type: [PoliceChild] })
  @IsArray()
  @ArrayMinSize(1, { message: 'a notice must name at least one child' })
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => PoliceChild)
  children!: PoliceChild[];

  @ApiProperty({ type: [PoliceAdult] })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => PoliceAdult)
  adults!: PoliceAdult[];

  @ApiProperty({ enum: POLICE_CONCERNS, isArray: true })
  @IsArray()
  @ArrayUnique()
  @IsIn(POLICE_CONCERNS, { each: true })
  concerns!: PoliceConcern[];

  @ApiPropertyOptional({ minimum: 0, description: 'Previous incidents at this address or involving these people' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1000)
  previousIncidents?: number;

  @ApiPropertyOptional({ enum: ['STANDARD', 'MEDIUM', 'HIGH'], description: 'DASH risk level' })
  @IsOptional()
  @IsIn(['STANDARD', 'MEDIUM', 'HIGH'])
  dashRisk?: 'STANDARD' | 'MEDIUM' | 'HIGH';

  @ApiPropertyOptional({ minimum: 0, maximum: 27, description: 'Number of "yes" answers on the DASH checklist; 14 or more is high risk' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(27)
  dashScore?: number;

  @ApiProperty({ enum: ['RED', 'AMBER', 'GREEN'], description: "The force's RAG grading" })
  @IsIn(['RED', 'AMBER', 'GREEN'])
  ragGrading!: 'RED' | 'AMBER' | 'GREEN';

  @ApiProperty({ enum: ['INFORMATION_EXCHANGE', 'FORMAL_REFERRAL'] })
  @IsIn(['INFORMATION_EXCHANGE', 'FORMAL_REFERRAL'])
  notificationType!: 'INFORMATION_EXCHANGE' | 'FORMAL_REFERRAL';

  @ApiProperty({ type: PartnerConsentDto })
  @ValidateNested()
  @Type(() => PartnerConsentDto)
  consent!: PartnerConsentDto;
}
