import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, Validate, ValidatorConstraint, type ValidatorConstraintInterface } from 'class-validator';
import { isIP } from 'node:net';

/** Express's names for address ranges, allowed in TRUST_PROXY beside addresses and subnets. */
const NAMED_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * Which proxies' X-Forwarded-For Express believes: false (none: the connection's address is
 * the client), a number of hops, or the proxies' addresses, subnets or named ranges.
 */
export type TrustProxy = false | number | string[];

/** Reads TRUST_PROXY; throws with the reason when it is none of false, a hop count, or a list of addresses or subnets. */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  if (value === undefined || value.trim() === 'false') return false;
  if (/^\d+$/.test(value.trim())) {
    const hops = Number(value.trim());
    if (hops < 1 || hops > 10) throw new Error('a hop count must be 1 to 10 (or false for none)');
    return hops;
  }
  const entries = value.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    if (NAMED_RANGES.includes(entry)) continue;
    const [address, prefix, ...rest] = entry.split('/');
    const version = isIP(address);
    const longest = version === 4 ? 32 : 128;
    if (!version || rest.length || (prefix !== undefined && !(/^\d{1,3}$/.test(prefix) && Number(prefix) <= longest))) {
      throw new Error(`${JSON.stringify(entry)} is not an IP address, a subnet (address/prefix) or one of ${NAMED_RANGES.join(', ')}`);
    }
  }
  return entries;
}

@ValidatorConstraint({ name: 'trustProxy' })
class TrustProxyValue implements ValidatorConstraintInterface {
  private problem = '';

  validate(value: unknown): boolean {
    try {
      parseTrustProxy(String(value));
      return true;
    } catch (error) {
      this.problem = (error as Error).message;
      return false;
    }
  }

  defaultMessage(): string {
    return `$property must be false, a hop count, or comma-separated proxy addresses or subnets: ${this.problem}`;
  }
}

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

  /**
   * The reverse proxies in front of the app whose X-Forwarded-For to believe (Express's
   * `trust proxy`): unset or false for none, a hop count, or addresses and subnets. Rate limits
   * count per client address, so behind a proxy this must name it, or every client shares one limit.
   */
  @IsOptional()
  @Validate(TrustProxyValue)
  TRUST_PROXY?: string = undefined;
}

export function corsOrigins(config: ServiceConfig): string[] {
  return config.CORS_ORIGINS ? config.CORS_ORIGINS.split(',') : [];
}
