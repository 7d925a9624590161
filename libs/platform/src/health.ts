import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { Redis } from 'ioredis';

@Injectable()
export class RedisHealthIndicator {
  constructor(private readonly health: HealthIndicatorService) {}

  /** Up when Redis answers and will not evict queued messages. */
  async check(key: string, redis: Redis) {
    const indicator = this.health.check(key);
    try {
      const info = await redis.info('memory');
      const policy = /maxmemory_policy:(\S+)/.exec(info)?.[1] ?? 'unknown';
      if (policy !== 'noeviction') return indicator.down({ message: `maxmemory-policy is ${policy}, not noeviction` });
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
