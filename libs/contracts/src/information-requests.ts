import { IsIn, IsString, IsUUID, Length, Matches } from 'class-validator';
import { AGENCIES, type Agency } from './agencies.js';
import { IsInstant } from './dates.js';
import { IsOrganisationCodeOf } from './organisations.js';
import { PARTNER_SYSTEM_NAME_MESSAGE, PARTNER_SYSTEM_NAME_PATTERN } from './partner-access.js';

/** The longest answer a partner may give to an information request, in characters. */
export const INFORMATION_ANSWER_MAX_LENGTH = 20_000;

/** The inbox kind of the hub's notice that it withdrew a request. */
export const INFORMATION_REQUEST_WITHDRAWN_KIND = 'information_request.withdrawn';

/**
 * A partner organisation's answer to the MASH's information request, sent by its agency's adapter
 * on that agency's intake queue. The hub records it once (by request), only from the organisation
 * the request went to.
 */
export class InformationAnswer {
  /** The adapter's id for this answer; also the job id. The same answer sent again keeps its id. */
  @IsUUID()
  answerId!: string;

  /** The hub's information request (`request.id` in the share that carried it). */
  @IsUUID()
  requestId!: string;

  /** The adapter that took the answer (it must be the intake queue's agency). */
  @IsIn(AGENCIES)
  adapterAgency!: Agency;

  /** The answering organisation inside that agency. */
  @IsOrganisationCodeOf('adapterAgency')
  organisation!: string;

  /** The partner system's credential that gave the answer. */
  @IsUUID()
  credentialId!: string;

  @Matches(PARTNER_SYSTEM_NAME_PATTERN, { message: PARTNER_SYSTEM_NAME_MESSAGE })
  system!: string;

  @IsString()
  @Length(1, INFORMATION_ANSWER_MAX_LENGTH)
  answer!: string;

  /** The adapter's clock. */
  @IsInstant()
  answeredAt!: string;
}

/**
 * The hub withdrew an information request: the recipient's adapter stops taking answers to it and
 * tells the organisation in its inbox. Ids only: the screener's reason stays in the hub.
 */
export class InformationRequestWithdrawn {
  @IsUUID()
  requestId!: string;

  @IsUUID()
  shareId!: string;

  /** The request's, as its share carried it. */
  @IsUUID()
  correlationId!: string;

  @IsIn(AGENCIES)
  recipientAgency!: Agency;

  @IsOrganisationCodeOf('recipientAgency')
  recipientOrganisation!: string;

  @IsInstant()
  withdrawnAt!: string;
}
