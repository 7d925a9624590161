import { IsIn, IsInt, Max, Min } from 'class-validator';
import { ServiceConfig } from '#platform';

/** Settings every adapter shares; an adapter's own class sets its port. */
export class AdapterConfig extends ServiceConfig {
  override PORT: number = 3100;

  /** Attempts the hub gets at each notification before it is dead-lettered. */
  @IsInt()
  @Min(1)
  @Max(50)
  INTAKE_ATTEMPTS: number = 10;

  @IsInt()
  @Min(100)
  INTAKE_BACKOFF_MS: number = 1000;

  /** How long a receipt (and so duplicate detection) lasts: longer than the 12-month re-referral window. */
  @IsInt()
  @Min(1)
  RECEIPT_RETENTION_DAYS: number = 400;

  /**
   * How long an acknowledged inbox message is kept (a redelivery within it adds nothing). Longer than
   * DEAD_LETTER_RETENTION_DAYS, so a replayed delivery does not bring back a message already acknowledged.
   * Unacknowledged messages stay until they are acknowledged.
   */
  @IsInt()
  @Min(1)
  @Max(3650)
  INBOX_RETENTION_DAYS: number = 90;

  /** `true` lets organisations' push endpoints be plain http://, for tests and local trials only: messages are personal data. */
  @IsIn(['true', 'false'])
  INBOX_PUSH_ALLOW_HTTP: 'true' | 'false' = 'false';

  /** Attempts at pushing one message to an endpoint before the push is a dead letter (the message stays in the inbox). */
  @IsInt()
  @Min(1)
  @Max(50)
  INBOX_PUSH_ATTEMPTS: number = 12;

  /** The first retry delay of a push; it doubles each attempt, up to INBOX_PUSH_MAX_BACKOFF_MS. */
  @IsInt()
  @Min(100)
  INBOX_PUSH_BACKOFF_MS: number = 5_000;

  @IsInt()
  @Min(100)
  INBOX_PUSH_MAX_BACKOFF_MS: number = 900_000;

  /** How long an endpoint has to answer a push before the attempt counts as failed. */
  @IsInt()
  @Min(100)
  @Max(60_000)
  INBOX_PUSH_TIMEOUT_MS: number = 10_000;

  /** Requests a minute one partner system may make (ten times that from one address, before any credential is checked). */
  @IsInt()
  @Min(1)
  PARTNER_RATE_LIMIT_PER_MINUTE: number = 600;
}
