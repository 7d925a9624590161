import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';
import { IsIn, IsInt } from 'class-validator';
import type { Agency } from '../agencies.js';
import { HousingDetails } from './housing.js';
import { HealthDetails } from './health.js';
import { PoliceDetails } from './police.js';
import { ProbationDetails } from './probation.js';

export {
  ASB_ACTIONS,
  ASB_CATEGORIES,
  ASB_HOUSEHOLD_ROLES,
  ASB_RISK_LEVELS,
  AntiSocialBehaviourDetails,
  DutyToReferDetails,
  EVICTION_NOTICE_TYPES,
  EVICTION_REASONS,
  EvictionDetails,
  HOMELESSNESS_REASONS,
  HOUSING_AUTHORITY_CODE_MESSAGE,
  HOUSING_AUTHORITY_CODE_PATTERN,
  HOUSING_NOTICE_KINDS,
  HouseholdRelationships,
  HousingDetails,
  HousingOfficer,
  LANDLORD_TYPES,
  type HomelessnessReason,
  type HousingNoticeKind,
} from './housing.js';
import { EducationDetails } from './education.js';

export {
  BodyMapEntry,
  DesignatedSafeguardingLead,
  DSL_DECISIONS,
  EDUCATION_SENDERS,
  EducationDetails,
  EducationPupil,
  LINKED_PUPIL_CONNECTIONS,
  LOOKED_AFTER_STATUSES,
  LinkedPupil,
  StaffMember,
  UPN_PATTERN,
  YEAR_GROUPS,
  type DslDecision,
  type EducationSender,
  type LinkedPupilConnection,
  type LookedAfterStatus,
  type YearGroup,
} from './education.js';
export { OfficerInCase, PoliceDetails, PoliceDetailsV1, DASH_RISK_LEVELS, POLICE_REFERRAL_TYPES, type DashRiskLevel, type PoliceReferralType } from './police.js';
export * from './probation.js';
export { CommunicationIdentifier, FHIR_PRIORITIES, HealthDetails, ODS_CODE_PATTERN, UnscheduledAttendance, type FhirPriority } from './health.js';

/**
 * Each agency's own part of the canonical notification, found by
 * `details.agency`. Each part has its own `version`, so one agency's format
 * can change without touching the others. An agency's adapter adds its part
 * here.
 */
const DETAILS_TYPES = [
  { name: 'police', value: PoliceDetails },
  { name: 'housing', value: HousingDetails },
  { name: 'probation', value: ProbationDetails },
  { name: 'education', value: EducationDetails },
  { name: 'health', value: HealthDetails },
] as const satisfies ReadonlyArray<{ name: Agency; value: new () => object }>;

export type AgencyDetails = InstanceType<(typeof DETAILS_TYPES)[number]['value']>;

/** The agencies whose details the hub can read. */
export const AGENCIES_WITH_DETAILS: readonly Agency[] = DETAILS_TYPES.map((type) => type.name);

/** What details of an agency without a part of its own are read as: only the discriminator is checked, and refused. */
export class AgencyDetailsBase {
  @IsIn(AGENCIES_WITH_DETAILS, { message: `$property must be one of ${AGENCIES_WITH_DETAILS.join(', ')}` })
  agency!: string;

  @IsInt()
  version!: number;
}

/** class-transformer's options for the details property: the class is chosen by `agency`. */
export const AGENCY_DETAILS_DISCRIMINATOR = {
  discriminator: { property: 'agency', subTypes: DETAILS_TYPES.map((type) => ({ name: type.name, value: type.value })) },
  keepDiscriminatorProperty: true,
};

/** The details are those of the notification's own sourceAgency. */
export function IsDetailsOfSourceAgency(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isDetailsOfSourceAgency',
      target: target.constructor,
      propertyName,
      options,
      validator: {
        validate(value: unknown, args: ValidationArguments): boolean {
          const sourceAgency = (args.object as { sourceAgency?: unknown }).sourceAgency;
          return !!value && typeof value === 'object' && (value as { agency?: unknown }).agency === sourceAgency;
        },
        defaultMessage(args: ValidationArguments): string {
          const sourceAgency = (args.object as { sourceAgency?: unknown }).sourceAgency;
          const given = args.value && typeof args.value === 'object' ? (args.value as { agency?: unknown }).agency : undefined;
          return `${args.property} must be the sending agency's details: details.agency must be ${JSON.stringify(sourceAgency)}, not ${JSON.stringify(given)}`;
        },
      },
    });
}
