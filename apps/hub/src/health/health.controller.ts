import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import { RedisHealthIndicator } from '#platform';
import { QueueServer } from '#queue-transport';
import { Public } from '../access/access-policy.js';
import { HUB_REDIS } from '../hub.tokens.js';

/** Up only when Postgres answers, Redis answers without evicting, and the intake consumer runs. */
@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly redisHealth: RedisHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @Inject(HUB_REDIS) private readonly redis: Redis,
    @Inject(QueueServer) private readonly intake: QueueServer,
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
        return this.intake.isConsuming() ? consumer.up() : consumer.down({ message: 'intake consumer is not running' });
      },
    ]);
  }
}
