import { IsInt, Matches, Max, Min } from 'class-validator';
import { ServiceConfig } from '#platform';

/**
 * The hub's settings. Defaults suit a developer's machine with Postgres and
 * Redis on localhost.
 */
export class HubConfig extends ServiceConfig {
  /** As the application role, which may add audit events but never change them (see the migrations). */
  @Matches(/^postgres(ql)?:\/\//, { message: '$property must be a postgres:// connection URL' })
  DATABASE_URL: string = 'postgres://mash_app@127.0.0.1:5432/mash';

  @IsInt()
  @Min(1)
  @Max(100)
  INTAKE_CONCURRENCY: number = 8;

  /** How many times a message to an adapter is tried before it is dead-lettered. */
  @IsInt()
  @Min(1)
  @Max(50)
  DELIVERY_ATTEMPTS: number = 8;

  @IsInt()
  @Min(50)
  OUTBOX_POLL_INTERVAL_MS: number = 500;
}
