import { Catch, Controller, Get, Injectable, NotFoundException, type ArgumentsHost, type ExceptionFilter, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Response } from 'express';
import request from 'supertest';
import type { Worker } from 'bullmq';
import type { Observable } from 'rxjs';
import { connectQueueConsumer } from './connect-queue-consumer.js';
import { DeadLetterNotFoundError } from './errors.js';
import { QueueTestBed, TEST_REDIS_URL, countKeys, waitFor } from './testing/queue-test-support.js';

/** Producer -> real Redis -> in-process Nest consumer. Every test has its own prefix and removes its keys. */
describe('BullMQ transport (real Redis)', () => {
  let bed: QueueTestBed;

  beforeEach(() => {
    bed = new QueueTestBed({ attempts: 3, backoffDelayMs: 20 });
  });

  afterEach(async () => {
    await bed.dispose();
    expect(await countKeys(`${bed.prefix}:*`)).toBe(0);
  });

  it('delivers a published event to its @EventPattern handler with its payload and job id', async () => {
    const server = await bed.startConsumer();
    expect(server.isConsuming()).toBe(true);
    const payload = { notificationId: randomUUID(), agency: 'police' };

    const jobId = await bed.publish('test.record', payload);

    const [delivery] = await waitFor('the delivery', () => bed.recorder.of(jobId).length > 0 && bed.recorder.of(jobId));
    expect(delivery).toEqual({ pattern: 'test.record', jobId, attempt: 1, payload });
    await waitFor('the job to complete', async () => (await bed.jobState(jobId)) === 'completed');
  });

  it('treats a @MessagePattern handler as an event: it runs, its result is discarded', async () => {
    await bed.startConsumer();

    const jobId = await bed.publish('test.request', { question: 'anyone?' });

    await waitFor('the job to complete', async () => (await bed.jobState(jobId)) === 'completed');
    expect(bed.recorder.of(jobId)).toEqual([{ pattern: 'test.request', jobId, attempt: 1, payload: { question: 'anyone?' } }]);
  });

  it('delivers a job id published twice only once', async () => {
    const jobId = randomUUID();
    await bed.publish('test.record', { copy: 1 }, jobId);
    await bed.publish('test.record', { copy: 2 }, jobId);
    const queue = await bed.client.connect();
    expect(await queue.getJobCounts('waiting', 'delayed', 'active', 'completed')).toEqual({ waiting: 1, delayed: 0, active: 0, completed: 0 });

    await bed.startConsumer();

    await waitFor('the queue to be drained', async () => {
      const counts = await queue.getJobCounts('waiting', 'delayed', 'active', 'completed');
      return counts.completed === 1 && counts.waiting + counts.delayed + counts.active === 0;
    });
    // Nothing is left to deliver, so the one delivery is the only one there will be; the first copy won.
    expect(bed.recorder.deliveries).toEqual([{ pattern: 'test.record', jobId, attempt: 1, payload: { copy: 1 } }]);
  });

  it('retries a handler that fails transiently, until it succeeds', async () => {
    await bed.startConsumer();

    const jobId = await bed.publish('test.flaky', { failures: 2 });

    await waitFor('the job to complete', async () => (await bed.jobState(jobId)) === 'completed');
    expect(bed.recorder.of(jobId).map((delivery) => delivery.attempt)).toEqual([1, 2, 3]);
    expect(await bed.deadLetter(jobId)).toBeUndefined();
  });

  it('dead-letters a message after exactly `attempts` failures, then replays it under the same id', async () => {
    await bed.startConsumer();
    const publishedAt = Date.now();

    const jobId = await bed.publish('test.broken', { notificationId: 'n-1' });

    const letter = await waitFor('the dead letter', () => bed.deadLetter(jobId));
    expect(letter).toMatchObject({
      queue: bed.queue,
      id: jobId,
      pattern: 'test.broken',
      payload: { notificationId: 'n-1' },
      reason: 'relation "notification" does not exist',
      permanent: false,
      attemptsMade: 3,
    });
    expect(bed.recorder.of(jobId).map((delivery) => delivery.attempt)).toEqual([1, 2, 3]);
    expect(Date.parse(letter.firstAttemptAt as string)).toBeGreaterThanOrEqual(publishedAt);
    expect(Date.parse(letter.failedAt as string)).toBeGreaterThan(Date.parse(letter.firstAttemptAt as string));

    const page = await bed.deadLetters.list(bed.queue, { offset: 0, limit: 10 });
    expect(page).toEqual({ items: [letter], total: 1 });

    bed.recorder.fixed.add(jobId);
    await bed.deadLetters.replay(bed.queue, jobId);

    await waitFor('the replayed job to complete', async () => (await bed.jobState(jobId)) === 'completed');
    expect(bed.recorder.of(jobId).map((delivery) => delivery.attempt)).toEqual([1, 2, 3, 1]);
    expect(await bed.deadLetters.list(bed.queue, { offset: 0, limit: 10 })).toEqual({ items: [], total: 0 });
    expect(await bed.deadLetters.get(bed.queue, jobId)).toBeNull();
    await expect(bed.deadLetters.replay(bed.queue, jobId)).rejects.toThrow(DeadLetterNotFoundError);
  });

  it('does not retry a PermanentMessageError or a ValidationPipe refusal, and lists both as permanent, newest first', async () => {
    await bed.startConsumer();

    const invalid = await bed.publish('test.permanent', { childId: null });
    await waitFor('the PermanentMessageError dead letter', () => bed.deadLetter(invalid));
    const refused = await bed.publish('test.validated', { name: 42 });
    await waitFor('the BadRequestException dead letter', () => bed.deadLetter(refused));

    const page = await bed.deadLetters.list(bed.queue, { offset: 0, limit: 10 });
    expect(page.total).toBe(2);
    expect(page.items).toEqual([
      expect.objectContaining({ id: refused, pattern: 'test.validated', permanent: true, attemptsMade: 1, reason: 'invalid fields: name' }),
      expect.objectContaining({
        id: invalid,
        pattern: 'test.permanent',
        permanent: true,
        attemptsMade: 1,
        reason: 'notification is invalid: childId is missing',
      }),
    ]);
    expect(bed.recorder.of(invalid)).toHaveLength(1);
    // The pipe refused the payload before the handler ran.
    expect(bed.recorder.of(refused)).toHaveLength(0);
    expect((await bed.deadLetters.list(bed.queue, { offset: 1, limit: 1 })).items.map((item) => item.id)).toEqual([invalid]);
  });

  it('dead-letters a message no handler knows, as permanent, naming the pattern', async () => {
    await bed.startConsumer();

    const jobId = await bed.publish('test.nobody-listens', { anything: true });

    const letter = await waitFor('the dead letter', () => bed.deadLetter(jobId));
    expect(letter).toMatchObject({
      pattern: 'test.nobody-listens',
      permanent: true,
      attemptsMade: 1,
      reason: `no handler for pattern test.nobody-listens on queue ${bed.queue}`,
    });
  });

  it('waits for an in-flight handler before close() resolves', async () => {
    const server = await bed.startConsumer();
    const jobId = await bed.publish('test.slow', { ms: 400 });
    await waitFor('the handler to start', () => bed.recorder.of(jobId).length > 0);
    expect(bed.recorder.finished).toEqual([]);

    await bed.app?.close();

    expect(bed.recorder.finished).toEqual([jobId]);
    expect(await bed.jobState(jobId)).toBe('completed');
    expect(server.isConsuming()).toBe(false);
    await server.close(); // a second close is harmless
  });

  it('gives a message held by a consumer that died to another consumer, through the stalled-job check', async () => {
    const timing = { lockDurationMs: 500, stalledIntervalMs: 200 };
    const dying = await bed.startConsumer(timing);
    const jobId = await bed.publish('test.hang', { notificationId: 'n-2' });
    await waitFor('the first consumer to take the message', () => bed.recorder.of(jobId).length === 1);

    // As if the process were killed: connections dropped, the lock no longer renewed, the handler never finishing.
    await dying.unwrap<Worker>().close(true);
    expect(await bed.jobState(jobId)).toBe('active');

    const survivor = await bed.startConsumer(timing);
    expect(survivor).not.toBe(dying);
    await waitFor('the second consumer to take the message', () => bed.recorder.of(jobId).length === 2);
    bed.recorder.releaseHeld();

    await waitFor('the message to complete', async () => (await bed.jobState(jobId)) === 'completed');
    // A stall is not a failed attempt: the message keeps all its retries.
    expect(bed.recorder.of(jobId).map((delivery) => delivery.attempt)).toEqual([1, 1]);
    const queue = await bed.client.connect();
    expect((await queue.getJob(jobId))?.stalledCounter).toBe(1);
  });

  it('wires a consumer into a hybrid HTTP app with connectQueueConsumer, keeping permanent failures permanent', async () => {
    LifecycleProbe.initialised = 0;
    const module = await bed.handlersModule([HttpRoutes], [LifecycleProbe]);
    const http = module.createNestApplication({ logger: false });
    http.useGlobalFilters(new GoneFilter());
    const server = connectQueueConsumer(http, { redisUrl: TEST_REDIS_URL, prefix: bed.prefix, queue: bed.queue });
    bed.cleanups.push(() => http.close());
    await http.startAllMicroservices();
    await http.init();
    expect(server.isConsuming()).toBe(true);
    expect(LifecycleProbe.initialised).toBe(1);

    const delivered = await bed.publish('test.record', { hello: 'hub' });
    const invalid = await bed.publish('test.permanent', { childId: null });

    await waitFor('the delivery', () => bed.recorder.of(delivered).length === 1);
    // Without QueueErrorFilter Nest hands over "Internal server error" and the message is retried as transient.
    expect(await waitFor('the dead letter', () => bed.deadLetter(invalid))).toMatchObject({
      permanent: true,
      attemptsMade: 1,
      reason: 'notification is invalid: childId is missing',
    });
    // The queue's filter stays off the HTTP routes: the app's own filter still answers.
    expect((await request(http.getHttpServer()).get('/contacts/unknown')).status).toBe(410);

    await http.close();
    expect(server.isConsuming()).toBe(false);
  });

  it('refuses request/response on the producer and events without a caller-given job id', async () => {
    await expect(waitForEmitError(() => bed.client.send('test.record', { a: 1 }))).resolves.toMatch(/supports events only/);
    await expect(waitForEmitError(() => bed.client.emit('test.record', { a: 1 }))).resolves.toMatch(/caller-given job id/);
    const queue = await bed.client.connect();
    expect(await queue.count()).toBe(0);
  });

  it('keeps operators to the queues it observes, and to sensible pages', async () => {
    await expect(bed.deadLetters.list('someone-elses-queue', { offset: 0, limit: 10 })).rejects.toThrow(/not one the dead-letter store observes/);
    await expect(bed.deadLetters.list(bed.queue, { offset: 0, limit: 0 })).rejects.toThrow(RangeError);
    await expect(bed.deadLetters.replay(bed.queue, randomUUID())).rejects.toThrow(DeadLetterNotFoundError);
    expect(await bed.deadLetters.get(bed.queue, randomUUID())).toBeNull();
  });

  it('never waits longer than maxBackoffDelayMs between retries when producer and consumer are given it', async () => {
    await bed.dispose();
    bed = new QueueTestBed({ attempts: 6, backoffDelayMs: 100, maxBackoffDelayMs: 150 });
    await bed.startConsumer({ maxBackoffDelayMs: 150 });
    const started = Date.now();
    const jobId = await bed.publish('test.flaky', { failures: 5 });
    await waitFor('the sixth attempt to succeed', async () => (await bed.jobState(jobId)) === 'completed', 5_000);
    // Uncapped, the five retries would wait at least 50 + 100 + 200 + 400 + 800 ms; capped, at most 100 + 4 x 150.
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(bed.recorder.of(jobId).map((delivery) => delivery.attempt)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('dead-letters at its first failure a message whose capped backoff its consumer was not given, rather than retrying at once', async () => {
    await bed.dispose();
    bed = new QueueTestBed({ attempts: 6, backoffDelayMs: 100, maxBackoffDelayMs: 150 });
    await bed.startConsumer();
    const jobId = await bed.publish('test.flaky', { failures: 5 });
    await waitFor('the dead letter', async () => (await bed.jobState(jobId)) === 'failed');
    expect(bed.recorder.of(jobId)).toHaveLength(1);
  });
});

@Controller('contacts')
class HttpRoutes {
  @Get('unknown')
  unknown(): never {
    throw new NotFoundException('no such contact');
  }
}

/** An app-wide HTTP filter the queue's filter must not shadow. */
@Catch(NotFoundException)
class GoneFilter implements ExceptionFilter {
  catch(_exception: NotFoundException, host: ArgumentsHost): void {
    host.switchToHttp().getResponse<Response>().status(410).json({ gone: true });
  }
}

@Injectable()
class LifecycleProbe implements OnModuleInit {
  static initialised = 0;
  onModuleInit(): void {
    LifecycleProbe.initialised += 1;
  }
}

/** The message of the error an rxjs stream ends with. */
function waitForEmitError(start: () => Observable<unknown>): Promise<string> {
  return new Promise((resolve, reject) => {
    start().subscribe({
      next: () => reject(new Error('expected an error, got a value')),
      complete: () => reject(new Error('expected an error, the stream completed')),
      error: (error: Error) => resolve(error.message),
    });
  });
}
