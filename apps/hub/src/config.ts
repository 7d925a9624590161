import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
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

  /** The Ed25519 private key (PKCS#8 PEM; \n may stand for line breaks) that signs audit checkpoints. */
  @IsOptional()
  @Matches(/BEGIN PRIVATE KEY/, { message: '$property must be a PKCS#8 PEM private key' })
  AUDIT_SIGNING_KEY?: string = undefined;

  /** Where the signing key is kept when AUDIT_SIGNING_KEY is not set; created on first use. */
  @IsString()
  AUDIT_SIGNING_KEY_FILE: string = 'var/audit-signing-key.pem';

  @IsInt()
  @Min(1000)
  AUDIT_CHECKPOINT_INTERVAL_MS: number = 15 * 60 * 1000;
}
