import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { setTimeout as delay } from 'node:timers/promises';
import { lastValueFrom } from 'rxjs';
import type { DataSource } from 'typeorm';
import { QueueClient, QueueRecord } from '#queue-transport';
import { HubConfig } from '../config.js';
import { Outbox } from './outbox.js';

const BATCH_SIZE = 100;
/** Published rows deleted per statement, so pruning never holds many locks or a long transaction. */
const PRUNE_BATCH_SIZE = 1000;
/** How often published rows are pruned. */
const PRUNE_INTERVAL_MS = 60_000;
/** Backoff of a failed row: 1 s, 2 s, 4 s, ... up to 10 minutes. */
const RETRY_BASE_MS = 1_000;
const RETRY_MAX_MS = 10 * 60_000;
/** How long shutdown waits for a publish in flight before abandoning it. */
const SHUTDOWN_WAIT_MS = 5_000;

interface ClaimedMessage {
  id: string;
  queue: string;
  pattern: string;
  payload: Record<string, unknown>;
  publish_attempts: number;
  created_at: Date;
}

export interface RelayRound {
  claimed: number;
  published: number;
  failed: number;
}

/**
 * Publishes committed outbox messages to their queues, with the outbox id as
 * the job id.
 *
 * No transaction is open while Redis is called: a short statement claims a
 * batch of due rows for a lease (SKIP LOCKED, so several hub processes relay
 * side by side), the rows are published, and those published are then marked
 * so together, while each failure is recorded with its next attempt pushed back. One row that cannot
 * be published therefore never holds up the others. A row that fails
 * OUTBOX_MAX_ATTEMPTS times is parked for an operator. A relay that stops
 * mid-publish leaves its rows claimed until the lease ends; they are then
 * published again under the same id, which the queue and the receiver both
 * treat as the same message.
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
  private lastPrunedAt = 0;
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

  /**
   * Stops claiming, then waits a bounded time for the publish in flight. If Redis does not answer,
   * that publish is abandoned: its rows' lease simply expires and a relay publishes them later.
   */
  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    clearTimeout(this.timer);
    const waitMs = SHUTDOWN_WAIT_MS;
    if (this.running) {
      const finished = await Promise.race([this.running.then(() => true), delay(waitMs, false)]);
      if (!finished) this.logger.warn({ message: 'outbox publish still in flight at shutdown; left for its lease to expire', waitedMs: waitMs });
    }
    await Promise.all([...this.clients.values()].map((client) => client.close()));
  }

  /** Claims one batch of due messages and publishes them. */
  async publishPending(): Promise<RelayRound> {
    const claimed = await this.claim();
    if (!claimed.length) return { claimed: 0, published: 0, failed: 0 };
    const outcomes = await Promise.all(claimed.map((message) => this.publishOne(message)));
    const published = claimed.filter((_, index) => outcomes[index]);
    // One statement (one commit) for the whole round: a commit per row was most of the relay's cost.
    if (published.length) {
      await this.dataSource.query(
        `UPDATE outbox_message
            SET published_at = now(), claimed_until = NULL, publish_attempts = publish_attempts + 1, last_error = NULL
          WHERE id = ANY($1::uuid[])`,
        [published.map((message) => message.id)],
      );
    }
    return { claimed: claimed.length, published: published.length, failed: claimed.length - published.length };
  }

  /** Deletes published messages older than the retention period, a bounded batch at a time; returns how many. */
  async prunePublished(): Promise<number> {
    let total = 0;
    for (;;) {
      const [, deleted] = (await this.dataSource.query(
        `DELETE FROM outbox_message WHERE id IN (
           SELECT id FROM outbox_message
            WHERE published_at IS NOT NULL AND published_at < now() - make_interval(hours => $1)
            LIMIT $2)`,
        [this.config.OUTBOX_RETENTION_HOURS, PRUNE_BATCH_SIZE],
      )) as [unknown, number];
      total += deleted;
      if (deleted < PRUNE_BATCH_SIZE || this.stopped) return total;
    }
  }

  /** One statement, so one short transaction: the claim commits before anything is published. */
  private async claim(): Promise<ClaimedMessage[]> {
    // Lease: longer than a publish may take, so a row is not claimed twice while it is being published.
    const leaseMs = this.config.QUEUE_PUBLISH_TIMEOUT_MS * 2 + 10_000;
    const [rows] = (await this.dataSource.query(
      `UPDATE outbox_message SET claimed_until = now() + make_interval(secs => $1::double precision / 1000)
        WHERE id IN (
          SELECT id FROM outbox_message
           WHERE published_at IS NULL AND parked_at IS NULL AND next_attempt_at <= now()
             AND (claimed_until IS NULL OR claimed_until < now())
           ORDER BY next_attempt_at, created_at
           LIMIT $2
           FOR UPDATE SKIP LOCKED)
        RETURNING id, queue, pattern, payload, publish_attempts, created_at`,
      [leaseMs, BATCH_SIZE],
    )) as [ClaimedMessage[], number];
    return rows.sort((a, b) => a.created_at.getTime() - b.created_at.getTime());
  }

  /** True when published. A failure is recorded on the row, never thrown, so the other rows still go. */
  private async publishOne(message: ClaimedMessage): Promise<boolean> {
    try {
      await lastValueFrom(this.client(message.queue).emit(message.pattern, new QueueRecord(message.payload, { jobId: message.id })), {
        defaultValue: undefined,
      });
      return true;
    } catch (error) {
      await this.recordFailure(message, (error as Error).message ?? String(error));
      return false;
    }
  }

  private async recordFailure(message: ClaimedMessage, reason: string): Promise<void> {
    const attempts = message.publish_attempts + 1;
    const parked = attempts >= this.config.OUTBOX_MAX_ATTEMPTS;
    const retryInMs = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(attempts - 1, 30));
    await this.dataSource.query(
      `UPDATE outbox_message
          SET publish_attempts = $2, last_error = $3, claimed_until = NULL,
              next_attempt_at = now() + make_interval(secs => $4::double precision / 1000),
              parked_at = CASE WHEN $5 THEN now() ELSE NULL END
        WHERE id = $1`,
      [message.id, attempts, reason.slice(0, 2000), retryInMs, parked],
    );
    const entry = { messageId: message.id, queue: message.queue, pattern: message.pattern, attempts, error: reason };
    if (parked) this.logger.error({ message: 'outbox message parked after repeated failures; an operator must retry it', ...entry });
    else this.logger.warn({ message: 'outbox message not published; will retry', retryInMs, ...entry });
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
    let delayMs = this.config.OUTBOX_POLL_INTERVAL_MS;
    try {
      let round: RelayRound;
      do round = await this.publishPending();
      while (round.claimed === BATCH_SIZE && round.failed === 0 && !this.stopped);
      if (!this.stopped && Date.now() - this.lastPrunedAt >= PRUNE_INTERVAL_MS) {
        this.lastPrunedAt = Date.now();
        const pruned = await this.prunePublished();
        if (pruned) this.logger.log({ message: 'published outbox messages pruned', pruned, retentionHours: this.config.OUTBOX_RETENTION_HOURS });
      }
      this.failures = 0;
    } catch (error) {
      // Claiming or recording failed (Postgres is down): nothing is lost, the next tick tries again, backing off.
      this.failures += 1;
      delayMs = Math.min(30_000, delayMs * 2 ** this.failures);
      this.logger.error({ message: 'outbox relay failed; will retry', error: (error as Error).message, retryInMs: delayMs });
    }
    this.schedule(delayMs);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.kick(), delayMs);
  }

  private client(queue: string): QueueClient {
    let client = this.clients.get(queue);
    if (!client) {
      client = new QueueClient({
        redisUrl: this.config.REDIS_URL,
        prefix: this.config.QUEUE_PREFIX,
        queue,
        attempts: this.config.DELIVERY_ATTEMPTS,
        publishTimeoutMs: this.config.QUEUE_PUBLISH_TIMEOUT_MS,
        keepCompletedForSeconds: this.config.QUEUE_KEEP_COMPLETED_SECONDS,
        keepFailedForSeconds: this.config.DEAD_LETTER_RETENTION_DAYS * 86_400,
      });
      this.clients.set(queue, client);
    }
    return client;
  }
}
