import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

/**
 * Settings every app shares, read from environment variables of the same
 * names. Each app's own settings class extends this one.
 */
export class ServiceConfig {
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT: number = 3000;

  @IsString()
  HOST: string = '0.0.0.0';

  @Matches(/^rediss?:\/\//, { message: '$property must be a redis:// connection URL' })
  REDIS_URL: string = 'redis://127.0.0.1:6379/0';

  /** Namespaces the queues in Redis, so several environments can share one server. */
  @Matches(/^[a-z0-9-]{1,40}$/, { message: '$property must be 1 to 40 lower-case letters, digits or hyphens' })
  QUEUE_PREFIX: string = 'mash';

  /** How long a consumer's claim on a message lasts; a crashed process's messages return after it. */
  @IsInt()
  @Min(1000)
  QUEUE_LOCK_DURATION_MS: number = 30000;

  @IsInt()
  @Min(1000)
  QUEUE_STALLED_INTERVAL_MS: number = 30000;

  /** How long publishing a message may wait for Redis before it fails (an HTTP request answers 503 rather than hang). */
  @IsInt()
  @Min(100)
  @Max(60000)
  QUEUE_PUBLISH_TIMEOUT_MS: number = 5000;

  /** How long a handled message stays in Redis (it holds personal data); 0 removes it at once. */
  @IsInt()
  @Min(0)
  QUEUE_KEEP_COMPLETED_SECONDS: number = 3600;

  /** How long a dead letter (a message that failed for good) stays in Redis for operators to read and replay. */
  @IsInt()
  @Min(1)
  @Max(3650)
  DEAD_LETTER_RETENTION_DAYS: number = 30;

  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: string = 'log';

  /** Browser origins allowed to call the API, comma-separated; unset, CORS stays closed. */
  @IsOptional()
  @Matches(/^https?:\/\/[^,\s]+(,https?:\/\/[^,\s]+)*$/, { message: '$property must be comma-separated http(s) origins' })
  CORS_ORIGINS?: string = undefined;
}

export function corsOrigins(config: ServiceConfig): string[] {
  return config.CORS_ORIGINS ? config.CORS_ORIGINS.split(',') : [];
}
