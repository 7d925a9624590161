import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, IsUUID, Matches, ValidateIf, ValidateNested } from 'class-validator';
import { AGENCIES, type Agency } from './agencies.js';
import { IsInstant } from './dates.js';
import { IsOrganisationCodeOf } from './organisations.js';

/** What a partner organisation did with messages in its inbox, as the hub's audit trail records it. */
export const INBOX_EVENTS = ['delivered', 'acknowledged'] as const;
export type InboxEvent = (typeof INBOX_EVENTS)[number];

/**
 * How a message reached the organisation: listed by one of its systems (`pull`, GET /inbox), or
 * posted by the adapter to the organisation's registered endpoint (`push`).
 */
export const INBOX_CHANNELS = ['pull', 'push'] as const;
export type InboxChannel = (typeof INBOX_CHANNELS)[number];

/** The most messages one inbox page (and so one report of deliveries) holds. */
export const INBOX_PAGE_MAX = 200;

/** One message of an inbox activity: ids and the kind only, never the message's body. */
export class InboxMessageRef {
  /** The hub's outbox id, the delivery's job id. */
  @IsUUID()
  messageId!: string;

  /** The delivery's message pattern, e.g. notification.accepted. */
  @Matches(/^[a-z]+(\.[a-z_]+)+$/, { message: '$property must be a message pattern, e.g. notification.accepted' })
  kind!: string;

  @IsUUID()
  correlationId!: string;
}

/**
 * An adapter delivered messages from an organisation's inbox to one of its
 * systems (the first time each was listed), or the system acknowledged one.
 * Sent to the hub on the adapter's own intake queue for the audit trail,
 * which records each event once per organisation and message however often
 * this arrives.
 */
export class InboxActivity {
  /** Also the job id. */
  @IsUUID()
  activityId!: string;

  /** The adapter that served the inbox (it must be the intake queue's agency). */
  @IsIn(AGENCIES)
  adapterAgency!: Agency;

  /** The organisation inside that agency whose inbox it is. */
  @IsOrganisationCodeOf('adapterAgency')
  organisation!: string;

  /** The partner system's credential that listed or acknowledged the messages; none for a push. */
  @ValidateIf((activity: InboxActivity) => activity.channel !== 'push')
  @IsUUID()
  credentialId!: string | null;

  @IsIn(INBOX_EVENTS)
  event!: InboxEvent;

  /** Absent means `pull`. A push is only ever a delivery, never an acknowledgement. */
  @IsOptional()
  @IsIn(INBOX_CHANNELS)
  channel?: InboxChannel;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(INBOX_PAGE_MAX)
  @ValidateNested({ each: true })
  @Type(() => InboxMessageRef)
  messages!: InboxMessageRef[];

  /** The adapter's clock. */
  @IsInstant()
  occurredAt!: string;
}
