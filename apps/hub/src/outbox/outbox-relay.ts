import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { lastValueFrom } from 'rxjs';
import type { DataSource } from 'typeorm';
import { QueueClient, QueueRecord } from '#queue-transport';
import { HubConfig } from '../config.js';
import { Outbox } from './outbox.js';
import { OutboxMessage } from './outbox-message.entity.js';

const BATCH_SIZE = 100;

/**
 * Publishes committed outbox messages to their queues, with the outbox id as
 * the job id. A crash between publishing and marking a message published means
 * it is published again under the same id, which the queue and the receiver
 * both treat as the same message.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly clients = new Map<string, QueueClient>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private rerun = false;
  private stopped = false;
  private failures = 0;
  private unsubscribe: (() => void) | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    @Inject(HubConfig) private readonly config: HubConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe = this.outbox.onCommitted(() => this.kick());
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    clearTimeout(this.timer);
    await this.running;
    await Promise.all([...this.clients.values()].map((client) => client.close()));
  }

  /** Publishes everything pending now; returns how many messages went out. */
  async publishPending(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      // SKIP LOCKED lets several hub instances relay side by side without publishing the same row at once.
      const pending = await manager
        .createQueryBuilder(OutboxMessage, 'message')
        .where('message.published_at IS NULL')
        .orderBy('message.created_at', 'ASC')
        .limit(BATCH_SIZE)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      for (const message of pending) {
        await lastValueFrom(
          this.client(message.queue).emit(message.pattern, new QueueRecord(message.payload, { jobId: message.id })),
          { defaultValue: undefined },
        );
      }
      if (pending.length) {
        await manager
          .createQueryBuilder()
          .update(OutboxMessage)
          .set({ publishedAt: () => 'now()', publishAttempts: () => 'publish_attempts + 1' })
          .whereInIds(pending.map((message) => message.id))
          .execute();
      }
      return pending.length;
    });
  }

  private kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.tick().finally(() => {
      this.running = undefined;
      if (this.rerun) {
        this.rerun = false;
        this.kick();
      }
    });
  }

  private async tick(): Promise<void> {
    let delay = this.config.OUTBOX_POLL_INTERVAL_MS;
    try {
      let published: number;
      do published = await this.publishPending();
      while (published === BATCH_SIZE && !this.stopped);
      this.failures = 0;
    } catch (error) {
      // Nothing is lost: the rows stay unpublished and the next tick retries, backing off while Redis or Postgres is down.
      this.failures += 1;
      delay = Math.min(30_000, delay * 2 ** this.failures);
      this.logger.error({ message: 'outbox relay failed; will retry', error: (error as Error).message, retryInMs: delay });
    }
    this.schedule(delay);
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.kick(), delay);
  }

  private client(queue: string): QueueClient {
    let client = this.clients.get(queue);
    if (!client) {
      client = new QueueClient({
        redisUrl: this.config.REDIS_URL,
        prefix: this.config.QUEUE_PREFIX,
        queue,
        attempts: this.config.DELIVERY_ATTEMPTS,
      });
      this.clients.set(queue, client);
    }
    return client;
  }
}
