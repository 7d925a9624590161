import { Type } from 'class-transformer';
import { IsIn, IsObject, IsUUID, Matches, ValidateNested } from 'class-validator';
import { AGENCIES, type Agency } from './agencies.js';
import { IsPastInstant } from './dates.js';
import { IsOrganisationCodeOf } from './organisations.js';
import { LawfulBasis } from './safeguarding-notification.js';

/**
 * Why the hub shares, one message type each. Every share passes the sharing decision, whose
 * minimisation policy has a row per message type and recipient agency.
 */
export const SHARE_PURPOSES = [
  /** Police to the child's school before the next school day, after a domestic abuse incident. */
  'operation_encompass',
  /** The MASH asks a partner what it holds about the child. */
  'information_request',
  /** What one agency told the MASH, passed on to another. */
  'information_passed_on',
  /** The outcome of a contact, back to the organisation that referred. */
  'outcome_feedback',
] as const;
export type SharePurpose = (typeof SHARE_PURPOSES)[number];

/** The inbox kind a share is listed under, e.g. share.operation_encompass. */
export function shareInboxKind(purpose: SharePurpose): string {
  return `share.${purpose}`;
}

/**
 * Information the hub shares with a partner organisation, after the sharing decision allowed it: only
 * the fields the minimisation policy lets this recipient have, with the lawful basis relied on. The
 * recipient agency's adapter puts it in the organisation's inbox.
 */
export class InformationShared {
  /** The hub's record of the decision; also in the audit trail. */
  @IsUUID()
  shareId!: string;

  @IsUUID()
  correlationId!: string;

  @IsIn(SHARE_PURPOSES)
  purpose!: SharePurpose;

  @IsIn(AGENCIES)
  recipientAgency!: Agency;

  @IsOrganisationCodeOf('recipientAgency')
  recipientOrganisation!: string;

  /** The minimisation policy version that chose the fields. */
  @Matches(/^[0-9A-Za-z][0-9A-Za-z.\-]{0,39}$/, { message: '$property must be a policy version label' })
  policyVersion!: string;

  @ValidateNested()
  @Type(() => LawfulBasis)
  lawfulBasis!: LawfulBasis;

  /** Field name (as the policy names it) → value. */
  @IsObject()
  payload!: Record<string, unknown>;

  @IsPastInstant()
  sharedAt!: string;
}
