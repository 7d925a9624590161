import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  Equals,
  IsDefined,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { AGENCIES, type Agency } from './agencies.js';
import {
  ADULT_ROLES,
  ARTICLE_6_BASES,
  ARTICLE_9_CONDITIONS,
  ASSESSMENT_FACTOR_CODES,
  CONSENT_GIVERS,
  CONSENT_NOT_SOUGHT_REASONS,
  CONSENT_STATUSES,
  RAG_RATINGS,
  STATUTORY_GATEWAYS,
  type AdultRole,
  type Article6Basis,
  type Article9Condition,
  type AssessmentFactorCode,
  type ConsentGiver,
  type ConsentNotSoughtReason,
  type ConsentStatus,
  type Rag,
  type StatutoryGateway,
} from './codes.js';
import { IsCalendarDate, IsPastCalendarDate, IsPastInstant } from './dates.js';
import {
  PARTNER_REFERENCE_PATTERN,
  PERSON_NAME_MESSAGE,
  PERSON_NAME_PATTERN,
  POSTCODE_PATTERN,
  SCHOOL_URN_PATTERN,
  UPRN_PATTERN,
} from './identifiers.js';
import { IsNhsNumber } from './nhs-number.js';
import { IsOrganisationCodeOf } from './organisations.js';
import { PARTNER_SYSTEM_NAME_MESSAGE, PARTNER_SYSTEM_NAME_PATTERN } from './partner-access.js';

/**
 * The canonical safeguarding notification, version 1: what every adapter maps
 * its partner's own format to, and the only shape the hub accepts. A change
 * that is not backwards compatible gets a new version beside this one.
 */
export const NOTIFICATION_SCHEMA_VERSION = 1 as const;


export class Address {
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

/** A person's names as the sender recorded them. */
export class PersonName {
  @IsString()
  @Length(1, 100)
  @Matches(PERSON_NAME_PATTERN, { message: PERSON_NAME_MESSAGE })
  givenName!: string;

  @IsString()
  @Length(1, 100)
  @Matches(PERSON_NAME_PATTERN, { message: PERSON_NAME_MESSAGE })
  familyName!: string;
}

/** What the child said and whether they were seen: the voice of the child. */
export class ChildVoice {
  @IsBoolean()
  seen!: boolean;

  @IsBoolean()
  spokenTo!: boolean;

  @IsOptional()
  @IsString()
  @Length(1, 5000)
  words?: string;
}

export class ChildSubject extends PersonName {
  /** Required unless the child is unborn; checked whenever it is given, an expected date of delivery beside it or not. */
  @ValidateIf((child: ChildSubject) => child.expectedDateOfDelivery === undefined || child.dateOfBirth !== undefined)
  @IsPastCalendarDate()
  dateOfBirth?: string;

  /** For an unborn child (health referrals in pregnancy). */
  @IsOptional()
  @IsCalendarDate()
  expectedDateOfDelivery?: string;

  @IsOptional()
  @IsNhsNumber()
  nhsNumber?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => Address)
  address?: Address;

  @IsOptional()
  @Matches(SCHOOL_URN_PATTERN, { message: '$property must be a 6-digit school URN' })
  schoolUrn?: string;

  /** Whether the child was present at the incident (police and probation notices). */
  @IsOptional()
  @IsBoolean()
  present?: boolean;

  @IsOptional()
  @ValidateNested()
  @Type(() => ChildVoice)
  voice?: ChildVoice;
}

export class AdultSubject extends PersonName {
  @IsOptional()
  @IsPastCalendarDate()
  dateOfBirth?: string;

  @IsIn(ADULT_ROLES)
  role!: AdultRole;

  @IsOptional()
  @IsString()
  @Length(1, 100)
  relationshipToChild?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => Address)
  address?: Address;
}

export class Subjects {
  @IsArray()
  @ArrayMinSize(1, { message: 'a notification must be about at least one child' })
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ChildSubject)
  children!: ChildSubject[];

  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => AdultSubject)
  adults!: AdultSubject[];
}

/**
 * The consent decision for this share, as the sender recorded it. Who gave
 * consent, or why it was not sought, is required: the decision and its reasons
 * must be documented.
 */
export class Consent {
  @IsIn(CONSENT_STATUSES)
  status!: ConsentStatus;

  @ValidateIf((c: Consent) => c.status === 'given')
  @IsIn(CONSENT_GIVERS, { message: '$property is required when consent was given: parent, carer or gillick_competent_child' })
  givenBy?: ConsentGiver;

  @ValidateIf((c: Consent) => c.status === 'not_sought')
  @IsIn(CONSENT_NOT_SOUGHT_REASONS, {
    message: `$property is required when consent was not sought: one of ${CONSENT_NOT_SOUGHT_REASONS.join(', ')}`,
  })
  notSoughtReason?: ConsentNotSoughtReason;

  @IsOptional()
  @IsString()
  @Length(1, 2000)
  notes?: string;
}

/** The lawful basis the sender relies on to share. */
export class LawfulBasis {
  @IsIn(ARTICLE_6_BASES)
  article6!: Article6Basis;

  /** Needed when the notification carries special-category (health) data. */
  @IsOptional()
  @IsIn(ARTICLE_9_CONDITIONS)
  article9?: Article9Condition;

  @IsArray()
  @ArrayUnique()
  @IsIn(STATUTORY_GATEWAYS, { each: true })
  statutoryGateways!: StatutoryGateway[];
}

export class OfficerInCase {
  @IsString()
  @Length(1, 100)
  name!: string;

  @IsOptional()
  @IsString()
  @Length(1, 20)
  collarNumber?: string;

  /** A telephone number or a secure e-mail address. */
  @IsString()
  @Length(3, 200)
  contact!: string;
}

export const DASH_RISK_LEVELS = ['standard', 'medium', 'high'] as const;
export type DashRiskLevel = (typeof DASH_RISK_LEVELS)[number];
export const POLICE_REFERRAL_TYPES = ['information_exchange', 'formal_referral'] as const;
export type PoliceReferralType = (typeof POLICE_REFERRAL_TYPES)[number];

/** What only a police notice carries. */
export class PoliceDetails {
  @IsIn(POLICE_REFERRAL_TYPES)
  referralType!: PoliceReferralType;

  @IsOptional()
  @IsIn(DASH_RISK_LEVELS)
  dashRiskLevel?: DashRiskLevel;

  @IsString()
  @Length(1, 300)
  incidentLocation!: string;

  @ValidateNested()
  @Type(() => OfficerInCase)
  officerInCase!: OfficerInCase;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1000)
  previousIncidents?: number;

  /** A domestic abuse incident the child's school must hear of before the next school day. */
  @IsBoolean()
  domesticAbuse!: boolean;
}

/** The partner system that submitted a notification, as the adapter authenticated it. */
export class SubmittedBy {
  /** The id of the credential the system presented (never its secret). */
  @IsUUID()
  credentialId!: string;

  /** The system's name as its credential records it, e.g. "Exampleshire Police PPN". */
  @Matches(PARTNER_SYSTEM_NAME_PATTERN, { message: PARTNER_SYSTEM_NAME_MESSAGE })
  system!: string;
}

export class SafeguardingNotification {
  @Equals(NOTIFICATION_SCHEMA_VERSION)
  schemaVersion!: typeof NOTIFICATION_SCHEMA_VERSION;

  /** Assigned by the adapter; stable for the same partner reference. */
  @IsUUID()
  notificationId!: string;

  /** Follows the partner's submission through every later step and audit event. */
  @IsUUID()
  correlationId!: string;

  @IsIn(AGENCIES)
  sourceAgency!: Agency;

  /**
   * The organisation inside the agency that sent it (a force, a trust, a school, …), from its
   * credential. With the agency and the reference it identifies the notification.
   */
  @IsOrganisationCodeOf('sourceAgency')
  sourceOrganisation!: string;

  @Matches(PARTNER_REFERENCE_PATTERN, {
    message: '$property must be 1 to 100 letters, digits and / _ . - starting with a letter or digit',
  })
  partnerReference!: string;

  /** When the concern arose (the incident), where known. */
  @IsOptional()
  @IsPastInstant()
  occurredAt?: string;

  /** When the partner reported it: the clock for deadlines starts at the hub's receipt, not here. */
  @IsPastInstant()
  reportedAt!: string;

  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(20)
  @IsIn(ASSESSMENT_FACTOR_CODES, { each: true, message: 'each value in $property must be a DfE assessment factor code, e.g. 3A' })
  categories!: AssessmentFactorCode[];

  /** The sender's own urgency; the screener sets the hub's RAG. */
  @IsIn(RAG_RATINGS)
  senderUrgency!: Rag;

  @ValidateNested()
  @Type(() => Subjects)
  subjects!: Subjects;

  @IsString()
  @Length(1, 20000)
  narrative!: string;

  @ValidateNested()
  @Type(() => Consent)
  consent!: Consent;

  @ValidateNested()
  @Type(() => LawfulBasis)
  lawfulBasis!: LawfulBasis;

  @ValidateIf((n: SafeguardingNotification) => n.sourceAgency === 'police' || n.police !== undefined)
  @IsDefined({ message: '$property is required on a police notification' })
  @ValidateNested()
  @Type(() => PoliceDetails)
  police?: PoliceDetails;

  /**
   * Which partner system submitted it, when the adapter authenticated one.
   * Optional, so messages without it (from before partner credentials) stay valid v1.
   */
  @IsOptional()
  @ValidateNested()
  @Type(() => SubmittedBy)
  submittedBy?: SubmittedBy;
}

/** What the hub tells the sending agency once a notification is stored. */
export class NotificationAccepted {
  @IsUUID()
  notificationId!: string;

  @IsUUID()
  correlationId!: string;

  @IsIn(AGENCIES)
  sourceAgency!: Agency;

  /** The sending organisation: only its systems may read the receipt. */
  @IsOrganisationCodeOf('sourceAgency')
  sourceOrganisation!: string;

  @IsString()
  partnerReference!: string;

  /** The contacts (one per child) the notification joined. */
  @IsArray()
  @IsUUID(undefined, { each: true })
  contactIds!: string[];

  @IsPastInstant()
  acceptedAt!: string;
}

