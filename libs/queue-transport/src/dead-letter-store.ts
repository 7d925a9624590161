import { Logger } from '@nestjs/common';
import { Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { firstAttemptAt } from './attempt-log.js';
import { DeadLetterNotFoundError } from './errors.js';
import { isPermanentFailure } from './failures.js';
import { DEFAULT_PREFIX, type QueueConnectionOptions } from './options.js';
import { createQueueConnection, quit } from './redis-connection.js';

/** A message that failed permanently or used up its attempts. */
export interface DeadLetter {
  queue: string;
  id: string;
  /** The Nest pattern (the BullMQ job name). */
  pattern: string;
  payload: unknown;
  /** Why the last attempt failed. */
  reason: string;
  /** True when the message can never succeed as it is (e.g. invalid); false when it was retried until it ran out of attempts. */
  permanent: boolean;
  attemptsMade: number;
  /** When the first attempt since it was queued (or last replayed) started, if known. */
  firstAttemptAt: string | null;
  failedAt: string | null;
}

/** What a bulk replay did: the ids it moved back to waiting, and whether more matched than one call replays. */
export interface BulkReplay {
  replayed: string[];
  more: boolean;
}

/** At most this many dead letters are replayed by one call; the caller repeats for the rest. */
export const BULK_REPLAY_LIMIT = 1000;

/**
 * The dead-letter store is BullMQ's failed set: producers publish with
 * `removeOnFail: { age }` (30 days by default) and Redis runs with AOF and
 * noeviction, so a failed job stays until an operator replays it or it
 * reaches that age. This class only reads that set and moves jobs back to
 * waiting.
 */
export class DeadLetterStore {
  private readonly logger = new Logger(DeadLetterStore.name);
  private readonly observed: ReadonlySet<string>;
  private readonly queues = new Map<string, Queue>();
  private connection: Redis | undefined;

  constructor(
    private readonly connectionOptions: QueueConnectionOptions,
    queues: string[],
  ) {
    this.observed = new Set(queues);
  }

  /** Newest failure first. */
  async list(queue: string, page: { offset: number; limit: number }): Promise<{ items: DeadLetter[]; total: number }> {
    const { offset, limit } = page;
    // getFailed(0, -1) would return everything, so an empty or negative page is refused rather than passed through.
    if (!Number.isInteger(offset) || offset < 0) throw new RangeError(`offset must be a whole number >= 0, got ${offset}`);
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a whole number >= 1, got ${limit}`);
    const bullQueue = this.queue(queue);
    const [jobs, total] = await Promise.all([
      bullQueue.getFailed(offset, offset + limit - 1),
      bullQueue.getJobCountByTypes('failed'),
    ]);
    // A job replayed between the two reads comes back undefined.
    const present = jobs.filter((job): job is Job => Boolean(job));
    const items = await Promise.all(present.map((job) => this.toDeadLetter(queue, bullQueue, job)));
    return { items, total };
  }

  async get(queue: string, id: string): Promise<DeadLetter | null> {
    const bullQueue = this.queue(queue);
    const job = await this.failedJob(bullQueue, id);
    return job ? this.toDeadLetter(queue, bullQueue, job) : null;
  }

  /**
   * Back to waiting with its attempts reset, under the same job id (the
   * consumer is idempotent by id).
   */
  async replay(queue: string, id: string): Promise<void> {
    const job = await this.failedJob(this.queue(queue), id);
    if (!job) throw new DeadLetterNotFoundError(queue, id);
    try {
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    } catch (error) {
      // Someone else replayed (or removed) it between the check and the retry.
      if (!(await job.isFailed())) throw new DeadLetterNotFoundError(queue, id);
      throw error;
    }
  }

  /**
   * Replays every dead letter of a queue, oldest failure first, optionally only those that failed
   * between `failedFrom` and `failedTo` (inclusive). At most BULK_REPLAY_LIMIT at a time.
   */
  async replayMany(queue: string, range: { failedFrom?: Date; failedTo?: Date } = {}): Promise<BulkReplay> {
    const from = range.failedFrom?.getTime() ?? '-inf';
    const to = range.failedTo?.getTime() ?? '+inf';
    if (typeof from === 'number' && typeof to === 'number' && from > to) {
      throw new RangeError('failedFrom must not be after failedTo');
    }
    const bullQueue = this.queue(queue);
    // The failed set is scored by the time each job failed.
    const ids = await (this.connection as Redis).zrangebyscore(bullQueue.keys.failed, from, to, 'LIMIT', 0, BULK_REPLAY_LIMIT + 1);
    const replayed: string[] = [];
    for (const id of ids.slice(0, BULK_REPLAY_LIMIT)) {
      try {
        await this.replay(queue, id);
        replayed.push(id);
      } catch (error) {
        // Replayed or removed by someone else meanwhile: not this call's to report.
        if (!(error instanceof DeadLetterNotFoundError)) throw error;
      }
    }
    return { replayed, more: ids.length > BULK_REPLAY_LIMIT };
  }

  async close(): Promise<void> {
    const queues = [...this.queues.values()];
    const connection = this.connection;
    this.queues.clear();
    this.connection = undefined;
    await Promise.all(queues.map((queue) => queue.close()));
    if (connection) await quit(connection);
  }

  private queue(name: string): Queue {
    if (!this.observed.has(name)) {
      throw new Error(`queue ${name} is not one the dead-letter store observes (${[...this.observed].join(', ')})`);
    }
    let queue = this.queues.get(name);
    if (!queue) {
      this.connection ??= createQueueConnection(this.connectionOptions.redisUrl, 'mash-dead-letters');
      // Reading and replaying only: no need to write the queue's meta.
      queue = new Queue(name, {
        connection: this.connection,
        prefix: this.connectionOptions.prefix ?? DEFAULT_PREFIX,
        skipMetasUpdate: true,
      });
      queue.on('error', (error) => this.logger.warn({ message: 'dead-letter queue error', queue: name, error: error.message }));
      this.queues.set(name, queue);
    }
    return queue;
  }

  private async failedJob(queue: Queue, id: string): Promise<Job | undefined> {
    // State first: BullMQ moves a job to the failed set and writes its final fields in one script,
    // so a job read after it is seen failed is complete (read before, it could be its last attempt in flight).
    if ((await queue.getJobState(id)) !== 'failed') return undefined;
    return queue.getJob(id);
  }

  private async toDeadLetter(queue: string, bullQueue: Queue, job: Job): Promise<DeadLetter> {
    const id = job.id as string;
    const { logs } = await bullQueue.getJobLogs(id, 0, -1, false);
    return {
      queue,
      id,
      pattern: job.name,
      payload: job.data,
      reason: job.failedReason ?? '',
      permanent: isPermanentFailure(job),
      attemptsMade: job.attemptsMade,
      firstAttemptAt: firstAttemptAt(job, logs),
      failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
    };
  }
}
