import { IsIn, IsInt, IsString, Matches, Max, Min } from 'class-validator';

/** Settings every adapter shares, read from environment variables of the same names. */
export class AdapterConfig {
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT: number = 3100;

  @IsString()
  HOST: string = '0.0.0.0';

  @Matches(/^rediss?:\/\//, { message: '$property must be a redis:// connection URL' })
  REDIS_URL: string = 'redis://127.0.0.1:6379/0';

  @Matches(/^[a-z0-9-]{1,40}$/, { message: '$property must be 1 to 40 lower-case letters, digits or hyphens' })
  QUEUE_PREFIX: string = 'mash';

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

  @IsInt()
  @Min(1000)
  QUEUE_LOCK_DURATION_MS: number = 30000;

  @IsInt()
  @Min(1000)
  QUEUE_STALLED_INTERVAL_MS: number = 30000;

  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: string = 'log';
}
