import { Logger } from '@nestjs/common';
import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  CAPPED_EXPONENTIAL_BACKOFF,
  DEFAULT_ATTEMPTS,
  DEFAULT_BACKOFF_DELAY_MS,
  DEFAULT_KEEP_COMPLETED_FOR_SECONDS,
  DEFAULT_KEEP_FAILED_FOR_SECONDS,
  DEFAULT_PREFIX,
  DEFAULT_PUBLISH_TIMEOUT_MS,
  type QueueClientOptions,
} from './options.js';
import { QueueUnavailableError } from './errors.js';
import { QueueRecord } from './queue-record.js';
import { assertRedisKeepsQueuedMessages, createQueueConnection, describeRedis, quit, settlesWithin } from './redis-connection.js';

/** Closing waits at most this long for the queue before dropping the connection. */
const CLOSE_WAIT_MS = 2_000;

interface Opened {
  queue: Queue;
  connection: Redis;
}

/**
 * Publishes events to one BullMQ queue: `await lastValueFrom(client.emit(pattern,
 * new QueueRecord(data, { jobId })), { defaultValue: undefined })` resolves once
 * Redis holds the job. The job name is the pattern; the caller's job id makes a
 * repeated publish a no-op. Completed jobs are removed after
 * `keepCompletedForSeconds`, failed ones (the dead letters) after
 * `keepFailedForSeconds`; a QueueRecord may override either for its message.
 *
 * A publish never waits on Redis for longer than `publishTimeoutMs`: it fails
 * with QueueUnavailableError, so a caller (e.g. an HTTP request) can answer.
 *
 * Only events are supported: `send()` (request/response) fails.
 */
export class QueueClient extends ClientProxy {
  private readonly logger = new Logger(QueueClient.name);
  private opening: Promise<Opened> | undefined;
  private opened: Opened | undefined;
  private connecting: Redis | undefined;

  constructor(private readonly options: QueueClientOptions) {
    super();
  }

  /** Creates the queue once and checks Redis keeps every key. A failed attempt is forgotten, so the next call tries again. */
  connect(): Promise<Queue> {
    if (!this.opening) {
      // Nest's emit() connects first: that too must not wait on Redis without end.
      const opening = this.withinPublishTimeout(() => this.open());
      this.opening = opening;
      opening.catch(() => {
        if (this.opening === opening) this.opening = undefined;
      });
    }
    return this.opening.then(({ queue }) => queue);
  }

  /** Closes the queue and its connection. Safe to call twice; a later emit connects again. */
  async close(): Promise<void> {
    const opening = this.opening;
    this.opening = undefined;
    if (!opening) return;
    if (!this.opened) {
      // Still connecting (perhaps to a Redis that does not answer): drop that connection; open() then fails and releases it.
      this.connecting?.disconnect();
    }
    let opened: Opened;
    try {
      opened = await opening;
    } catch {
      return; // open() already released what it created
    }
    if (this.opened === opened) this.opened = undefined;
    // Bounded, so that stopping does not hang on a Redis that does not answer.
    await settlesWithin(opened.queue.close().catch(() => undefined), Math.min(this.publishTimeoutMs(), CLOSE_WAIT_MS));
    await quit(opened.connection);
  }

  /** The BullMQ Queue, once connected. */
  unwrap<T = Queue>(): T {
    if (!this.opened) throw new Error(`QueueClient for queue ${this.options.queue} is not connected; call connect() first`);
    return this.opened.queue as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    callback({
      err: new Error(
        `QueueClient supports events only (emit); request/response (send) of pattern ${this.normalizePattern(packet.pattern)} is not supported`,
      ),
      isDisposed: true,
    });
    return () => undefined;
  }

  protected async dispatchEvent<T = undefined>(packet: ReadPacket): Promise<T> {
    const record: unknown = packet.data;
    if (!(record instanceof QueueRecord)) {
      throw new Error(
        'QueueClient needs a caller-given job id: emit(pattern, new QueueRecord(data, { jobId })) so that publishing again is harmless',
      );
    }
    const pattern = this.normalizePattern(packet.pattern);
    const { jobId, keepCompletedForSeconds, keepFailedForSeconds } = record.options;
    const keepCompleted = keepCompletedForSeconds ?? this.options.keepCompletedForSeconds ?? DEFAULT_KEEP_COMPLETED_FOR_SECONDS;
    const keepFailed = keepFailedForSeconds ?? this.options.keepFailedForSeconds ?? DEFAULT_KEEP_FAILED_FOR_SECONDS;
    await this.withinPublishTimeout(async () => {
      const queue = await this.connect();
      await queue.add(pattern, record.data, {
        jobId,
        attempts: this.options.attempts ?? DEFAULT_ATTEMPTS,
        backoff: {
          type: this.options.maxBackoffDelayMs === undefined ? 'exponential' : CAPPED_EXPONENTIAL_BACKOFF,
          delay: this.options.backoffDelayMs ?? DEFAULT_BACKOFF_DELAY_MS,
          jitter: 0.5,
        },
        // Queued messages hold personal data: kept only as long as they are needed.
        removeOnComplete: keepCompleted === 0 ? true : { age: keepCompleted },
        // The failed set is the dead-letter store: kept long enough for operators to read and replay.
        removeOnFail: { age: keepFailed },
      });
    });
    this.logger.debug({ message: 'message queued', queue: this.options.queue, jobId, pattern });
    return undefined as T;
  }

  /**
   * Connecting and adding together may take at most publishTimeoutMs. The connection's own command
   * timeout also ends each Redis command; the race covers a connection that is still being made.
   */
  private async withinPublishTimeout<R>(publish: () => Promise<R>): Promise<R> {
    const timeoutMs = this.publishTimeoutMs();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new QueueUnavailableError(this.options.queue, timeoutMs, this.where())), timeoutMs);
    });
    const attempt = publish();
    attempt.catch(() => undefined); // once timed out, its own later failure has no one to tell
    try {
      return await Promise.race([attempt, timedOut]);
    } catch (error) {
      if (error instanceof QueueUnavailableError) throw error;
      if (error instanceof Error && /Command timed out/.test(error.message)) {
        throw new QueueUnavailableError(this.options.queue, timeoutMs, this.where());
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private publishTimeoutMs(): number {
    return this.options.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS;
  }

  /** host:port from the URL, for messages; never the URL itself, which may carry a password. */
  private where(): string {
    try {
      const url = new URL(this.options.redisUrl);
      return `${url.hostname}:${url.port || 6379}`;
    } catch {
      return 'the configured Redis';
    }
  }

  private async open(): Promise<Opened> {
    const connection = createQueueConnection(this.options.redisUrl, `mash-producer-${this.options.queue}`, {
      commandTimeoutMs: this.publishTimeoutMs(),
    });
    this.connecting = connection;
    let queue: Queue | undefined;
    try {
      await assertRedisKeepsQueuedMessages(connection, describeRedis(connection));
      queue = new Queue(this.options.queue, { connection, prefix: this.options.prefix ?? DEFAULT_PREFIX });
      // Connection errors; ioredis reconnects and a pending add() waits for it.
      queue.on('error', (error) => this.logger.warn({ message: 'queue error', queue: this.options.queue, error: error.message }));
      await queue.waitUntilReady();
      this.opened = { queue, connection };
      return this.opened;
    } catch (error) {
      await queue?.close().catch(() => undefined); // the original error is the one to report
      await quit(connection);
      throw error;
    } finally {
      if (this.connecting === connection) this.connecting = undefined;
    }
  }
}
