import { Type } from 'class-transformer';
import { ArrayMaxSize, Equals, IsArray, IsIn, IsOptional, IsString, Length, Matches, ValidateNested } from 'class-validator';
import { IsPastCalendarDate } from '../dates.js';

/** FHIR R4 request-priority codes, as the sender's Communication.priority carried them. */
export const FHIR_PRIORITIES = ['routine', 'urgent', 'asap', 'stat'] as const;
export type FhirPriority = (typeof FHIR_PRIORITIES)[number];

/** An NHS ODS organisation code (a trust, site, GP practice, …). */
export const ODS_CODE_PATTERN = /^[A-Z0-9]{3,10}$/;

/** The sender's own identifier of its Communication (FHIR Identifier system and value): the partner reference. */
export class CommunicationIdentifier {
  @IsString()
  @Length(1, 500)
  system!: string;

  @IsString()
  @Length(1, 100)
  value!: string;
}

/** An earlier unplanned attendance (A&E, urgent treatment centre, walk-in) the sender recorded. */
export class UnscheduledAttendance {
  @IsPastCalendarDate()
  attendedOn!: string;

  /** The FHIR Encounter.class code (v3 ActCode), e.g. EMER. */
  @IsString()
  @Length(1, 20)
  encounterClass!: string;

  /** The ODS code of the service attended, where recorded. */
  @IsOptional()
  @Matches(ODS_CODE_PATTERN, { message: '$property must be an ODS organisation code' })
  serviceProviderOdsCode?: string;

  /** What the attendance was for, as the sender wrote it. */
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  reason?: string;
}

/** What only a health safeguarding referral carries: version 1 of the health part. */
export class HealthDetails {
  @Equals('health')
  agency!: 'health';

  @Equals(1, { message: '$property must be 1: the only version of the health details' })
  version!: 1;

  @ValidateNested()
  @Type(() => CommunicationIdentifier)
  communicationIdentifier!: CommunicationIdentifier;

  /** Kept as sent: the canonical senderUrgency is its RAG reading. */
  @IsIn(FHIR_PRIORITIES)
  fhirPriority!: FhirPriority;

  /** The child's registered GP practice (Patient.generalPractitioner). */
  @IsOptional()
  @Matches(ODS_CODE_PATTERN, { message: '$property must be an ODS organisation code' })
  gpPracticeOdsCode?: string;

  /** Injuries as the clinician described them (Condition.code.text, with the body site). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Length(1, 2000, { each: true })
  injuryDescriptions?: string[];

  /** Earlier unscheduled attendances of the child, as the Bundle's Encounters listed them (none listed is an empty list). */
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => UnscheduledAttendance)
  previousUnscheduledAttendances!: UnscheduledAttendance[];
}
