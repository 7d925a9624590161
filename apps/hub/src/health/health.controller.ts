import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import { RedisHealthIndicator } from '#platform';
import { Public } from '../access/access-policy.js';
import { HUB_REDIS } from '../hub.tokens.js';
import { IntakeConsumers } from '../notifications/intake-consumers.js';

/** Up only when Postgres answers, Redis answers without evicting, and every agency's intake consumer runs (not paused for the database). */
@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly redisHealth: RedisHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @Inject(HUB_REDIS) private readonly redis: Redis,
    private readonly intake: IntakeConsumers,
  ) {}

  @Get()
  @Public()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 2000 }),
      () => this.redisHealth.check('redis', this.redis),
      () => {
        const consumer = this.indicators.check('intake');
        const stopped = this.intake.notConsuming();
        const paused = this.intake.waitingForDatabase();
        if (stopped.length === 0) return consumer.up();
        if (paused.length === stopped.length) {
          return consumer.down({
            message: `intake paused until the database answers: ${paused.join(', ')}; messages wait in their queues, keeping their attempts`,
            paused,
          });
        }
        return consumer.down({ message: `intake consumer is not running for ${stopped.join(', ')}`, queues: stopped, paused });
      },
    ]);
  }
}
