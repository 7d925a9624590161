import { IsIn, IsInt, IsString, Matches, Max, Min } from 'class-validator';

/**
 * The hub's settings, read from environment variables of the same names.
 * Defaults suit a developer's machine with Postgres and Redis on localhost.
 */
export class HubConfig {
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT: number = 3000;

  @IsString()
  HOST: string = '0.0.0.0';

  @Matches(/^postgres(ql)?:\/\//, { message: '$property must be a postgres:// connection URL' })
  DATABASE_URL: string = 'postgres://postgres@127.0.0.1:5432/mash';

  @Matches(/^rediss?:\/\//, { message: '$property must be a redis:// connection URL' })
  REDIS_URL: string = 'redis://127.0.0.1:6379/0';

  /** Namespaces the queues in Redis, so several environments can share one server. */
  @Matches(/^[a-z0-9-]{1,40}$/, { message: '$property must be 1 to 40 lower-case letters, digits or hyphens' })
  QUEUE_PREFIX: string = 'mash';

  @IsInt()
  @Min(1)
  @Max(100)
  INTAKE_CONCURRENCY: number = 8;

  /** How long a worker's claim on a message lasts; a crashed hub's messages return after it. */
  @IsInt()
  @Min(1000)
  QUEUE_LOCK_DURATION_MS: number = 30000;

  @IsInt()
  @Min(1000)
  QUEUE_STALLED_INTERVAL_MS: number = 30000;

  /** How many times a message to an adapter is tried before it is dead-lettered. */
  @IsInt()
  @Min(1)
  @Max(50)
  DELIVERY_ATTEMPTS: number = 8;

  @IsInt()
  @Min(50)
  OUTBOX_POLL_INTERVAL_MS: number = 500;

  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: string = 'log';
}
