import { Logger } from '@nestjs/common';
import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { DelayedError, UnrecoverableError, Worker, type Job, type MinimalJob } from 'bullmq';
import { setTimeout as delay } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { lastValueFrom } from 'rxjs';
import { firstAttemptLogLine } from './attempt-log.js';
import { isPermanentError, toJobFailure } from './failures.js';
import {
  CAPPED_EXPONENTIAL_BACKOFF,
  DEFAULT_AVAILABILITY_PROBE_INTERVAL_MS,
  DEFAULT_CONCURRENCY,
  DEFAULT_LOCK_DURATION_MS,
  DEFAULT_PREFIX,
  DEFAULT_STALLED_INTERVAL_MS,
  type QueueServerOptions,
} from './options.js';
import { QueueContext } from './queue-context.js';
import { assertRedisKeepsQueuedMessages, createQueueConnection, describeRedis, quit } from './redis-connection.js';

/**
 * Consumes one BullMQ queue and hands each job to the Nest handler whose
 * pattern is the job's name. A handler's failure fails the job: BullMQ
 * retries transient failures with the producer's backoff, and moves
 * permanent ones (and exhausted retries) to the failed set, which is the
 * dead-letter store.
 *
 * `@MessagePattern` handlers are accepted but treated as events: a queue has
 * no one to reply to, so their result is discarded.
 *
 * With `classifyError`, an error the app says means "a dependency is
 * unavailable" (e.g. its database is down) does not use up an attempt: the
 * job goes back to the queue (delayed) and the consumer pauses, probing with
 * `probeAvailability` until it answers, then resumes. An outage therefore
 * delays messages instead of dead-lettering them.
 *
 * Nest's processing start/end hooks are not invoked: the hook contract does
 * not guarantee the handler's outcome reaches the transport, and a failure
 * that did not reach BullMQ would complete the job and lose the message.
 */
export class QueueServer extends Server implements CustomTransportStrategy {
  /** Tells Nest to hand event handler failures to this transport instead of only logging them. */
  override readonly propagatesEventHandlerErrors = true;
  protected override readonly logger = new Logger(QueueServer.name);

  private readonly queueName: string;
  private connection: Redis | undefined;
  private worker: Worker | undefined;
  private closing: Promise<void> | undefined;
  private warnedAboutErrorFilter = false;
  /** Set while the consumer is paused for an unavailable dependency. */
  private waitingForDependency: Promise<void> | undefined;

  constructor(private readonly options: QueueServerOptions) {
    super();
    this.queueName = options.queue;
  }

  /** Checks Redis keeps every key, then starts consuming. A refusal reaches the callback, so start-up fails with it. */
  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      await this.start();
    } catch (error) {
      await this.close();
      callback(error);
      return;
    }
    callback();
  }

  /** Stops taking jobs, waits for the ones in flight to finish, then closes the Redis connections. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** True while the worker is running; for the app's health check. */
  isConsuming(): boolean {
    return !this.closing && this.worker !== undefined && this.worker.isRunning() && !this.worker.isPaused();
  }

  /** True while the consumer is paused because a dependency is unavailable (it resumes by itself); for the health check. */
  isWaitingForDependency(): boolean {
    return this.waitingForDependency !== undefined && !this.closing;
  }

  /** The queue this server consumes. */
  get queue(): string {
    return this.queueName;
  }

  /** The BullMQ Worker, once listening. */
  unwrap<T = Worker>(): T {
    if (!this.worker) throw new Error(`QueueServer for queue ${this.queueName} is not listening`);
    return this.worker as T;
  }

  on(): never {
    throw new Error('QueueServer has no events to subscribe to; use unwrap() to reach the BullMQ Worker');
  }

  private async start(): Promise<void> {
    if (this.worker || this.closing) throw new Error(`QueueServer for queue ${this.queueName} was already started`);
    const connection = createQueueConnection(this.options.redisUrl, `mash-consumer-${this.queueName}`);
    this.connection = connection;
    await assertRedisKeepsQueuedMessages(connection, describeRedis(connection));
    this.warnAboutRequestResponseHandlers();

    const worker = new Worker(this.queueName, (job: Job, token?: string) => this.process(job, token), {
      connection,
      prefix: this.options.prefix ?? DEFAULT_PREFIX,
      concurrency: this.options.concurrency ?? DEFAULT_CONCURRENCY,
      lockDuration: this.options.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS,
      stalledInterval: this.options.stalledIntervalMs ?? DEFAULT_STALLED_INTERVAL_MS,
      autorun: true,
      settings: { backoffStrategy: (attemptsMade, type, _error, job) => this.backoffDelay(attemptsMade, type, job) },
    });
    this.worker = worker;
    this.watch(worker);
    await worker.waitUntilReady();
    this.logger.log({ message: 'consuming queue', queue: this.queueName });
  }

  private async shutdown(): Promise<void> {
    const { worker, connection } = this;
    // A paused consumer notices the shutdown at its next probe.
    await this.waitingForDependency;
    // Worker.close() waits for in-flight handlers; their jobs then complete or fail normally.
    if (worker) await worker.close();
    if (connection) await quit(connection);
    if (worker) this.logger.log({ message: 'stopped consuming queue', queue: this.queueName });
  }

  private async process(job: Job, token: string | undefined): Promise<void> {
    try {
      const handler = this.getHandlerByPattern(job.name);
      if (!handler) {
        throw new UnrecoverableError(`no handler for pattern ${job.name} on queue ${this.queueName}`);
      }
      const result = await handler(job.data, new QueueContext([job]));
      // Awaiting the handler's stream is what turns its failure into the job's failure.
      await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
    } catch (error) {
      const kind = this.options.classifyError?.(error);
      if (kind === 'unavailable' && token) {
        // Back to the queue without using up an attempt; the consumer waits until the dependency answers.
        await job.moveToDelayed(Date.now() + this.probeIntervalMs(), token);
        this.pauseForDependency(job, error);
        throw new DelayedError(`dependency unavailable: ${describeError(error)}`);
      }
      if (!(error instanceof Error)) this.warnIfErrorFilterMissing();
      if (job.attemptsMade === 0) await this.recordFirstAttempt(job);
      if (kind === 'permanent') throw new UnrecoverableError(describeError(error));
      if (kind === 'transient' && error instanceof Error && !(error instanceof UnrecoverableError)) throw error;
      throw toJobFailure(error);
    }
  }

  /** Exponential with jitter 0.5, as BullMQ's own, but never above maxBackoffDelayMs. */
  private backoffDelay(attemptsMade: number, type: string | undefined, job: MinimalJob | undefined): number {
    const max = this.options.maxBackoffDelayMs;
    if (type !== CAPPED_EXPONENTIAL_BACKOFF || max === undefined) {
      // Retrying at once would hide the misconfiguration: the message is dead-lettered (-1: no retry) and this says why.
      this.logger.error({ message: 'unknown backoff; give the consumer maxBackoffDelayMs', queue: this.queueName, jobId: job?.id, backoff: type });
      return -1;
    }
    const base = typeof job?.opts.backoff === 'object' ? (job.opts.backoff.delay ?? 0) : 0;
    const ceiling = Math.min(Math.pow(2, attemptsMade - 1) * base, max);
    return Math.floor(ceiling * 0.5 + Math.random() * ceiling * 0.5);
  }

  private probeIntervalMs(): number {
    return this.options.availabilityProbeIntervalMs ?? DEFAULT_AVAILABILITY_PROBE_INTERVAL_MS;
  }

  /** Pauses this consumer (once, however many handlers hit the outage) until the probe answers. */
  private pauseForDependency(job: Job, error: unknown): void {
    if (this.waitingForDependency || this.closing || !this.worker) return;
    this.logger.warn({
      message: 'a dependency is unavailable; consumer paused until it answers (messages keep their attempts)',
      queue: this.queueName,
      jobId: job.id,
      error: describeError(error),
    });
    const worker = this.worker;
    this.waitingForDependency = this.waitForDependency(worker).finally(() => {
      this.waitingForDependency = undefined;
    });
  }

  private async waitForDependency(worker: Worker): Promise<void> {
    // Not waiting for active jobs: the handler that called this is one of them.
    await worker.pause(true);
    const since = Date.now();
    for (;;) {
      await delay(this.probeIntervalMs());
      if (this.closing) return;
      try {
        await this.options.probeAvailability?.();
        break;
      } catch {
        // Still unavailable; probe again.
      }
    }
    if (this.closing) return;
    worker.resume();
    this.logger.log({ message: 'dependency answers again; consumer resumed', queue: this.queueName, pausedForMs: Date.now() - since });
  }

  /** Nest's default RPC filter turns every error into a plain object, which makes every failure look transient. */
  private warnIfErrorFilterMissing(): void {
    if (this.warnedAboutErrorFilter) return;
    this.warnedAboutErrorFilter = true;
    this.logger.warn({
      message: 'a handler failed with a non-Error value; install QueueErrorFilter (connectQueueConsumer does) so permanent failures are not retried',
      queue: this.queueName,
    });
  }

  private async recordFirstAttempt(job: Job): Promise<void> {
    try {
      await job.log(firstAttemptLogLine(job));
    } catch (error) {
      // Only the dead-letter listing's firstAttemptAt depends on this; the job's outcome does not.
      this.logger.warn({ message: 'could not record first attempt', queue: this.queueName, jobId: job.id, error: (error as Error).message });
    }
  }

  /** Logs ids, patterns and reasons only: payloads hold children's personal data. */
  private watch(worker: Worker): void {
    worker.on('failed', (job, error) => {
      if (!job) return;
      const entry = {
        queue: this.queueName,
        jobId: job.id,
        pattern: job.name,
        attemptsMade: job.attemptsMade,
        reason: error.message,
      };
      // BullMQ sets finishedOn only when the job went to the failed set rather than back for a retry.
      if (job.finishedOn) {
        this.logger.error({ message: 'message dead-lettered', permanent: isPermanentError(error), ...entry });
      } else {
        this.logger.warn({ message: 'message failed; will retry', ...entry });
      }
    });
    worker.on('stalled', (jobId) => {
      this.logger.warn({ message: 'message stalled (its worker stopped); back to waiting', queue: this.queueName, jobId });
    });
    worker.on('error', (error) => {
      // Connection and internal errors; BullMQ reconnects and retries by itself.
      this.logger.error({ message: 'queue worker error', queue: this.queueName, error: error.message });
    });
  }

  private warnAboutRequestResponseHandlers(): void {
    for (const [pattern, handler] of this.getHandlers()) {
      if (!handler.isEventHandler) {
        this.logger.warn({
          message: 'request/response handler on a queue is treated as an event; its result is discarded',
          queue: this.queueName,
          pattern,
        });
      }
    }
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message;
  }
  return String(error);
}
