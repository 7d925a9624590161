import { Logger } from '@nestjs/common';
import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  DEFAULT_ATTEMPTS,
  DEFAULT_BACKOFF_DELAY_MS,
  DEFAULT_KEEP_COMPLETED_FOR_SECONDS,
  DEFAULT_PREFIX,
  type QueueClientOptions,
} from './options.js';
import { QueueRecord } from './queue-record.js';
import { assertRedisKeepsQueuedMessages, createQueueConnection, describeRedis, quit } from './redis-connection.js';

interface Opened {
  queue: Queue;
  connection: Redis;
}

/**
 * Publishes events to one BullMQ queue: `await lastValueFrom(client.emit(pattern,
 * new QueueRecord(data, { jobId })), { defaultValue: undefined })` resolves once
 * Redis holds the job. The job name is the pattern; the caller's job id makes a
 * repeated publish a no-op. Failed jobs are kept (they are the dead letters);
 * completed ones are removed after `keepCompletedForSeconds`.
 *
 * Only events are supported: `send()` (request/response) fails.
 */
export class QueueClient extends ClientProxy {
  private readonly logger = new Logger(QueueClient.name);
  private opening: Promise<Opened> | undefined;
  private opened: Opened | undefined;

  constructor(private readonly options: QueueClientOptions) {
    super();
  }

  /** Creates the queue once and checks Redis keeps every key. A failed attempt is forgotten, so the next call tries again. */
  connect(): Promise<Queue> {
    if (!this.opening) {
      const opening = this.open();
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
    let opened: Opened;
    try {
      opened = await opening;
    } catch {
      return; // open() already released what it created
    }
    if (this.opened === opened) this.opened = undefined;
    await opened.queue.close();
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
    const queue = await this.connect();
    await queue.add(pattern, record.data, {
      jobId: record.options.jobId,
      attempts: this.options.attempts ?? DEFAULT_ATTEMPTS,
      backoff: { type: 'exponential', delay: this.options.backoffDelayMs ?? DEFAULT_BACKOFF_DELAY_MS, jitter: 0.5 },
      removeOnComplete: { age: this.options.keepCompletedForSeconds ?? DEFAULT_KEEP_COMPLETED_FOR_SECONDS },
      // The failed set is the dead-letter store: nothing that exhausted its attempts is dropped.
      removeOnFail: false,
    });
    this.logger.debug({ message: 'message queued', queue: this.options.queue, jobId: record.options.jobId, pattern });
    return undefined as T;
  }

  private async open(): Promise<Opened> {
    const connection = createQueueConnection(this.options.redisUrl, `mash-producer-${this.options.queue}`);
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
    }
  }
}
