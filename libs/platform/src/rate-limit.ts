import { HttpException, HttpStatus } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface RateLimitRule {
  /** Names the limit in keys and messages, e.g. 'sign-in'. */
  name: string;
  limit: number;
  windowSeconds: number;
}

export class RateLimitedException extends HttpException {
  constructor(
    rule: RateLimitRule,
    readonly retryAfterSeconds: number,
  ) {
    super(
      `Too many ${rule.name} requests: at most ${rule.limit} in ${rule.windowSeconds} s. Try again in ${retryAfterSeconds} s.`,
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}

// Counts a request in the current window and starts the window's clock on its first request.
const CONSUME = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('TTL', KEYS[1])}`;

/**
 * Fixed-window request limits kept in Redis, so every instance of an app
 * counts against the same limit. Keys hold a hash of who is counted, not the
 * identifiers themselves.
 */
export class RateLimiter {
  /** `prefix` namespaces the keys, e.g. `mash:rate`. */
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** Counts one request for `subject` under `rule`; throws 429 when over the limit. */
  async consume(rule: RateLimitRule, subject: string): Promise<void> {
    const key = `${this.prefix}:${rule.name}:${createHash('sha256').update(subject).digest('hex').slice(0, 32)}`;
    const [count, ttl] = (await this.redis.eval(CONSUME, 1, key, rule.windowSeconds)) as [number, number];
    if (count > rule.limit) throw new RateLimitedException(rule, Math.max(1, ttl));
  }
}
