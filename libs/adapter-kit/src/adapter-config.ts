import { IsInt, Max, Min } from 'class-validator';
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

  /** Requests a minute one partner system may make (ten times that from one address, before any credential is checked). */
  @IsInt()
  @Min(1)
  PARTNER_RATE_LIMIT_PER_MINUTE: number = 600;
}
