import { IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { AGENCIES, type Agency } from './agencies.js';
import { IsInstant } from './dates.js';

/** A partner system's name as its credential records it: 1 to 100 characters, no control characters. */
export const PARTNER_SYSTEM_NAME_PATTERN = /^(?!\s)[^\p{Cc}]{1,100}(?<!\s)$/u;
export const PARTNER_SYSTEM_NAME_MESSAGE = '$property must be 1 to 100 characters, without control characters or surrounding spaces';

/** Why an adapter refused a partner's request. */
export const PARTNER_ACCESS_REFUSAL_REASONS = [
  /** No Authorization header. */
  'no_credential',
  /** An Authorization header that is not `Bearer mash_<id>_<secret>`. */
  'malformed_credential',
  /** No credential with that id. */
  'unknown_credential',
  /** A known id with the wrong secret. */
  'wrong_secret',
  'revoked',
  'expired',
  /** A valid credential issued to another agency's system: the only 403. */
  'other_agency',
  /** The route declares no access policy, so no one may call it. */
  'no_route_policy',
] as const;
export type PartnerAccessRefusalReason = (typeof PARTNER_ACCESS_REFUSAL_REASONS)[number];

/**
 * An adapter refused a partner's request. Sent to the hub on the adapter's own
 * intake queue for the audit trail. Ids, codes and the route only: never the
 * request body, and never the presented secret.
 */
export class PartnerAccessRefused {
  /** Also the job id. */
  @IsUUID()
  refusalId!: string;

  /** The adapter that refused (it must be the intake queue's agency). */
  @IsIn(AGENCIES)
  adapterAgency!: Agency;

  /** The agency the presented credential was issued to; null when no known credential was presented. */
  @IsOptional()
  @IsIn(AGENCIES)
  claimedAgency!: Agency | null;

  /** The organisation inside that agency the credential was issued to, when known. Optional: refusals from before organisations stay valid. */
  @IsOptional()
  @Matches(/^[A-Z0-9]{1,20}$/, { message: '$property must be an organisation code (capital letters and digits)' })
  claimedOrganisation?: string | null;

  /** The presented credential's id, when the header was well-formed; null otherwise. */
  @IsOptional()
  @IsUUID()
  credentialId!: string | null;

  @IsIn(PARTNER_ACCESS_REFUSAL_REASONS)
  reason!: PartnerAccessRefusalReason;

  @IsInt()
  @IsIn([401, 403])
  status!: 401 | 403;

  @Matches(/^[A-Z]{3,7}$/, { message: '$property must be an HTTP method' })
  method!: string;

  /** The route's template (e.g. /notifications/:id), not the path with its values. */
  @IsString()
  @Length(1, 200)
  route!: string;

  /** The adapter's clock: a refusal is recorded even if the clocks disagree. */
  @IsInstant()
  refusedAt!: string;
}
