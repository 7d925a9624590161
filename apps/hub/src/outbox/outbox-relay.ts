import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { lastValueFrom } from 'rxjs';
import type { DataSource } from 'typeorm';
import { QueueClient, QueueRecord } from '#queue-transport';
import { HubConfig } from '../config.js';
import { WakeableRound } from '../wakeable-round.js';
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
  private readonly rounds: WakeableRound;
  private lastPrunedAt = 0;
  private unsubscribe: (() => void) | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    @Inject(HubConfig) private readonly config: HubConfig,
  ) {
    // A failure here is claiming or recording (Postgres is down): nothing is lost, the next round tries again.
    this.rounds = new WakeableRound(() => this.relay(), config.OUTBOX_POLL_INTERVAL_MS, this.logger, 'outbox relay');
  }

  onApplicationBootstrap(): void {
    this.unsubscribe = this.outbox.onCommitted(() => this.rounds.wake());
    this.rounds.start();
  }

  /**
   * Stops claiming, then waits a bounded time for the publish in flight. If Redis does not answer,
   * that publish is abandoned: its rows' lease simply expires and a relay publishes them later.
   */
  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    if (!(await this.rounds.stop(SHUTDOWN_WAIT_MS))) {
      this.logger.warn({ message: 'outbox publish still in flight at shutdown; left for its lease to expire', waitedMs: SHUTDOWN_WAIT_MS });
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
      if (deleted < PRUNE_BATCH_SIZE || this.rounds.isStopped) return total;
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

  /** Publishes everything due, a batch at a time, and now and then prunes what was published long ago. */
  private async relay(): Promise<void> {
    let round: RelayRound;
    do round = await this.publishPending();
    while (round.claimed === BATCH_SIZE && round.failed === 0 && !this.rounds.isStopped);
    if (!this.rounds.isStopped && Date.now() - this.lastPrunedAt >= PRUNE_INTERVAL_MS) {
      this.lastPrunedAt = Date.now();
      const pruned = await this.prunePublished();
      if (pruned) this.logger.log({ message: 'published outbox messages pruned', pruned, retentionHours: this.config.OUTBOX_RETENTION_HOURS });
    }
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
