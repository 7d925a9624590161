import { BadRequestException, Controller, Inject, Module, ValidationPipe, type INestMicroservice, type Provider, type Type } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { Test, type TestingModule } from '@nestjs/testing';
import { IsString } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { lastValueFrom } from 'rxjs';
import { DeadLetterStore, type DeadLetter } from '../dead-letter-store.js';
import { PermanentMessageError } from '../errors.js';
import type { QueueClientOptions, QueueServerOptions } from '../options.js';
import { QueueClient } from '../queue-client.js';
import { QueueContext } from '../queue-context.js';
import { QueueErrorFilter } from '../queue-error.filter.js';
import { QueueRecord } from '../queue-record.js';
import { QueueServer } from '../queue-server.js';

/** Test support for the integration suites: a real Redis, a prefix of its own per test, nothing left behind. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

export interface Delivery {
  pattern: string;
  jobId: string;
  attempt: number;
  payload: unknown;
}

/** What the test handlers saw and did. */
export class Recorder {
  readonly deliveries: Delivery[] = [];
  readonly finished: string[] = [];
  /** Jobs of 'test.broken' that now succeed. */
  readonly fixed = new Set<string>();
  /** While true, 'test.needs-database' fails as if its database refused connections. */
  databaseDown = false;
  /** The error 'test.needs-database' throws while the database is down. */
  databaseError: () => Error = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  private readonly held: Array<() => void> = [];

  /** A promise that settles only when `releaseHeld()` is called. */
  hold(): Promise<void> {
    return new Promise((resolve) => this.held.push(resolve));
  }

  releaseHeld(): void {
    for (const release of this.held.splice(0)) release();
  }

  record(pattern: string, payload: unknown, context: QueueContext): Delivery {
    const delivery = { pattern, jobId: String(context.getJob().id), attempt: context.getAttempt(), payload };
    this.deliveries.push(delivery);
    return delivery;
  }

  of(jobId: string): Delivery[] {
    return this.deliveries.filter((delivery) => delivery.jobId === jobId);
  }
}

class Referral {
  @IsString()
  name!: string;
}

@Controller()
export class TestHandlers {
  constructor(@Inject(Recorder) private readonly recorder: Recorder) {}

  @EventPattern<string>('test.record')
  record(@Payload() payload: unknown, @Ctx() context: QueueContext): void {
    this.recorder.record('test.record', payload, context);
  }

  /** Fails transiently on its first `failures` attempts. */
  @EventPattern<string>('test.flaky')
  async flaky(@Payload() payload: { failures: number }, @Ctx() context: QueueContext): Promise<void> {
    const { attempt } = this.recorder.record('test.flaky', payload, context);
    await Promise.resolve();
    if (attempt <= payload.failures) throw new Error(`case store unavailable (attempt ${attempt})`);
  }

  /** Fails transiently until the test marks the job fixed. */
  @EventPattern<string>('test.broken')
  async broken(@Payload() payload: unknown, @Ctx() context: QueueContext): Promise<void> {
    const { jobId } = this.recorder.record('test.broken', payload, context);
    if (!this.recorder.fixed.has(jobId)) throw new Error('relation "notification" does not exist');
  }

  @EventPattern<string>('test.permanent')
  async permanent(@Payload() payload: unknown, @Ctx() context: QueueContext): Promise<void> {
    this.recorder.record('test.permanent', payload, context);
    throw new PermanentMessageError('notification is invalid: childId is missing', [{ path: 'childId' }]);
  }

  @EventPattern<string>('test.validated')
  validated(
    @Payload(new ValidationPipe({ exceptionFactory: (errors) => new BadRequestException(`invalid fields: ${errors.map((e) => e.property).join(', ')}`) }))
    payload: Referral,
    @Ctx() context: QueueContext,
  ): void {
    this.recorder.record('test.validated', payload, context);
  }

  /** Fails while the test says its database is down. */
  @EventPattern<string>('test.needs-database')
  async needsDatabase(@Payload() payload: unknown, @Ctx() context: QueueContext): Promise<void> {
    this.recorder.record('test.needs-database', payload, context);
    await Promise.resolve();
    if (this.recorder.databaseDown) throw this.recorder.databaseError();
  }

  /** Takes `ms` to finish. */
  @EventPattern<string>('test.slow')
  async slow(@Payload() payload: { ms: number }, @Ctx() context: QueueContext): Promise<void> {
    const { jobId } = this.recorder.record('test.slow', payload, context);
    await delay(payload.ms);
    this.recorder.finished.push(jobId);
  }

  /** Request/response: the queue has no one to reply to, so the result is discarded. */
  @MessagePattern<string>('test.request')
  request(@Payload() payload: unknown, @Ctx() context: QueueContext): { reply: string } {
    this.recorder.record('test.request', payload, context);
    return { reply: 'nobody reads this' };
  }

  /** Hangs until the test releases it, like a handler whose process is about to be killed. */
  @EventPattern<string>('test.hang')
  async hang(@Payload() payload: unknown, @Ctx() context: QueueContext): Promise<void> {
    const { jobId } = this.recorder.record('test.hang', payload, context);
    await this.recorder.hold();
    this.recorder.finished.push(jobId);
  }
}

@Module({})
class EmptyModule {}

/**
 * One test's world: its own prefix and queue name, a producer, a consumer
 * (started on demand) and a dead-letter store, all removed by `dispose()`.
 */
export class QueueTestBed {
  readonly prefix = `test-${randomUUID()}`;
  readonly queue = `queue-${randomUUID().slice(0, 8)}`;
  readonly recorder = new Recorder();
  readonly client: QueueClient;
  readonly deadLetters: DeadLetterStore;
  server: QueueServer | undefined;
  app: INestMicroservice | undefined;
  /** Run by `dispose()`, before the keys are deleted. */
  readonly cleanups: Array<() => Promise<unknown>> = [];

  constructor(clientOptions: Partial<QueueClientOptions> = {}) {
    this.client = new QueueClient({ redisUrl: TEST_REDIS_URL, prefix: this.prefix, queue: this.queue, attempts: 3, backoffDelayMs: 20, ...clientOptions });
    this.deadLetters = new DeadLetterStore({ redisUrl: TEST_REDIS_URL, prefix: this.prefix }, [this.queue]);
  }

  /** The testing module with the test handlers, for tests that build their own app. */
  handlersModule(controllers: Type[] = [], providers: Provider[] = []): Promise<TestingModule> {
    return Test.createTestingModule({
      imports: [EmptyModule],
      controllers: [TestHandlers, ...controllers],
      providers: [{ provide: Recorder, useValue: this.recorder }, ...providers],
    }).compile();
  }

  /** Builds an in-process Nest microservice with the test handlers. Call `app.listen()` (or `startConsumer`) to start it. */
  async createConsumer(serverOptions: Partial<QueueServerOptions> = {}): Promise<INestMicroservice> {
    this.server = new QueueServer({ redisUrl: TEST_REDIS_URL, prefix: this.prefix, queue: this.queue, concurrency: 4, ...serverOptions });
    const module = await this.handlersModule();
    const app = module.createNestMicroservice({ strategy: this.server, logger: false });
    app.useGlobalFilters(new QueueErrorFilter());
    this.app = app;
    this.cleanups.push(() => app.close());
    return app;
  }

  async startConsumer(serverOptions: Partial<QueueServerOptions> = {}): Promise<QueueServer> {
    const app = await this.createConsumer(serverOptions);
    await app.listen();
    return this.server as QueueServer;
  }

  /** Resolves once Redis holds the job. */
  publish(pattern: string, data: unknown, jobId: string = randomUUID()): Promise<string> {
    return lastValueFrom(this.client.emit(pattern, new QueueRecord(data, { jobId })), { defaultValue: undefined }).then(() => jobId);
  }

  async jobState(jobId: string): Promise<string> {
    const queue = await this.client.connect();
    return queue.getJobState(jobId);
  }

  async deadLetter(jobId: string): Promise<DeadLetter | undefined> {
    return (await this.deadLetters.get(this.queue, jobId)) ?? undefined;
  }

  async dispose(): Promise<void> {
    this.recorder.releaseHeld();
    for (const cleanup of this.cleanups.splice(0).reverse()) await cleanup();
    await this.client.close();
    await this.deadLetters.close();
    await deleteKeys(`${this.prefix}:*`);
  }
}

/** Deletes this test's keys only (SCAN, never FLUSHDB: the Redis is shared). */
export async function deleteKeys(pattern: string): Promise<number> {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 3 });
  try {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      if (keys.length) deleted += await redis.del(...keys);
    } while (cursor !== '0');
    return deleted;
  } finally {
    await redis.quit();
  }
}

export async function countKeys(pattern: string): Promise<number> {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 3 });
  try {
    let count = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      count += keys.length;
    } while (cursor !== '0');
    return count;
  } finally {
    await redis.quit();
  }
}

/** Polls until `check` returns something other than undefined/false, or fails saying what it waited for. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result !== undefined && result !== false) return result;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(25);
  }
}
