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
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
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
  REFERRAL_SOURCE_CODES,
  STATUTORY_GATEWAYS,
  type AdultRole,
  type Article6Basis,
  type Article9Condition,
  type AssessmentFactorCode,
  type ConsentGiver,
  type ConsentNotSoughtReason,
  type ConsentStatus,
  type Rag,
  type ReferralSource,
  type StatutoryGateway,
} from './codes.js';
import { IsCalendarDate, IsPastCalendarDate, IsPastInstant } from './dates.js';
import {
  CANONICAL_PARTNER_REFERENCE_MESSAGE,
  CANONICAL_PARTNER_REFERENCE_PATTERN,
  POSTCODE_PATTERN,
  SCHOOL_URN_PATTERN,
  UPRN_PATTERN,
} from './identifiers.js';
import { IsNhsNumber } from './nhs-number.js';
import { IsPersonName } from './person-name.js';
import { IsOrganisationCodeOf } from './organisations.js';
import { AGENCY_REGISTRY } from './agency-registry.js';
import { AGENCY_DETAILS_DISCRIMINATOR, AgencyDetailsBase, IsDetailsOfSourceAgency, type AgencyDetails } from './details/index.js';
import { PoliceDetails, PoliceDetailsV1 } from './details/police.js';
import { validateMessage } from './field-errors.js';
import { PARTNER_SYSTEM_NAME_MESSAGE, PARTNER_SYSTEM_NAME_PATTERN } from './partner-access.js';

/**
 * The canonical safeguarding notification: what every adapter maps its
 * partner's own format to, and the only shape the hub accepts. Version 2 is a
 * core every agency fills in, plus the sending agency's own details (each
 * agency's part versioned on its own). Version 1 (police details in `police`)
 * is still accepted from the queues and upgraded on arrival.
 */
export const NOTIFICATION_SCHEMA_VERSION = 2 as const;
export const PREVIOUS_NOTIFICATION_SCHEMA_VERSION = 1 as const;


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
  @IsPersonName()
  givenName!: string;

  @IsPersonName()
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

/** The partner system that submitted a notification, as the adapter authenticated it. */
export class SubmittedBy {
  /** The id of the credential the system presented (never its secret). */
  @IsUUID()
  credentialId!: string;

  /** The system's name as its credential records it, e.g. "Exampleshire Police PPN". */
  @Matches(PARTNER_SYSTEM_NAME_PATTERN, { message: PARTNER_SYSTEM_NAME_MESSAGE })
  system!: string;
}

/** What every agency's notification says, whatever else it carries. */
abstract class NotificationCore {
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

  @Matches(CANONICAL_PARTNER_REFERENCE_PATTERN, { message: CANONICAL_PARTNER_REFERENCE_MESSAGE })
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

  /**
   * Which partner system submitted it, when the adapter authenticated one.
   * Optional, so messages from before partner credentials stay valid.
   */
  @IsOptional()
  @ValidateNested()
  @Type(() => SubmittedBy)
  submittedBy?: SubmittedBy;
}

/** The canonical notification, version 2: the core, the referral source and the sending agency's details. */
export class SafeguardingNotification extends NotificationCore {
  @Equals(NOTIFICATION_SCHEMA_VERSION)
  schemaVersion!: typeof NOTIFICATION_SCHEMA_VERSION;

  /** Who made the referral, as the DfE CIN census codes it: the agency's usual code unless the notice says more. */
  @IsIn(REFERRAL_SOURCE_CODES, { message: `$property must be a DfE referral source code: one of ${REFERRAL_SOURCE_CODES.join(', ')}` })
  referralSource!: ReferralSource;

  /** What only the sending agency's notices carry; `details.agency` must be the sending agency. */
  @IsDetailsOfSourceAgency()
  @ValidateNested()
  @Type(() => AgencyDetailsBase, AGENCY_DETAILS_DISCRIMINATOR)
  details!: AgencyDetails;
}

/** Version 1, as police notices were queued before agency details: read from the queues only, and upgraded. */
export class SafeguardingNotificationV1 extends NotificationCore {
  @Equals(PREVIOUS_NOTIFICATION_SCHEMA_VERSION)
  schemaVersion!: typeof PREVIOUS_NOTIFICATION_SCHEMA_VERSION;

  @Equals('police', { message: 'version 1 notifications came only from the police; other agencies send version 2' })
  declare sourceAgency: 'police';

  @IsDefined({ message: '$property is required on a police notification' })
  @ValidateNested()
  @Type(() => PoliceDetailsV1)
  police!: PoliceDetailsV1;
}

/** The same notification in the current version; nothing it said is lost. */
export function upgradeNotification(previous: SafeguardingNotificationV1): SafeguardingNotification {
  const { police, schemaVersion: _previous, ...core } = previous;
  return Object.assign(new SafeguardingNotification(), {
    ...core,
    schemaVersion: NOTIFICATION_SCHEMA_VERSION,
    referralSource: AGENCY_REGISTRY.police.referralSource,
    details: Object.assign(new PoliceDetails(), { agency: 'police', version: 1, ...police }),
  });
}

/**
 * A notification from a queue, in either version, validated and in the current version. Throws
 * InvalidMessageError naming every problem, with the version it was read as.
 */
export async function readNotification(plain: unknown): Promise<SafeguardingNotification> {
  const version = plain && typeof plain === 'object' ? (plain as { schemaVersion?: unknown }).schemaVersion : undefined;
  if (version === PREVIOUS_NOTIFICATION_SCHEMA_VERSION) {
    return upgradeNotification(await validateMessage(SafeguardingNotificationV1, plain, `safeguarding notification (version ${version})`));
  }
  return validateMessage(SafeguardingNotification, plain, 'safeguarding notification');
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

