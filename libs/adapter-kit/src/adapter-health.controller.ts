import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import { RedisHealthIndicator } from '#platform';
import { QueueServer } from '#queue-transport';
import { Public } from './partner-access.js';
import { ADAPTER_REDIS, INBOX_PUSH_SERVER } from './tokens.js';

@ApiTags('operations')
@Controller('health')
export class AdapterHealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly redisHealth: RedisHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @Inject(ADAPTER_REDIS) private readonly redis: Redis,
    @Inject(QueueServer) private readonly deliveries: QueueServer,
    @Inject(INBOX_PUSH_SERVER) private readonly pushes: QueueServer,
  ) {}

  @Get()
  @Public()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.redisHealth.check('redis', this.redis),
      () => {
        const consumer = this.indicators.check('deliveries');
        return this.deliveries.isConsuming() ? consumer.up() : consumer.down({ message: 'delivery consumer is not running' });
      },
      () => {
        // Stopped, pushes would wait unseen while partners expect them.
        const consumer = this.indicators.check('inboxPush');
        return this.pushes.isConsuming() ? consumer.up() : consumer.down({ message: 'inbox push consumer is not running' });
      },
    ]);
  }
}
