import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { lastValueFrom } from 'rxjs';
import { QueueUnavailableError } from './errors.js';
import type { ErrorClassifier } from './options.js';
import { QueueClient } from './queue-client.js';
import { QueueRecord } from './queue-record.js';
import { QueueTestBed, countKeys, waitFor } from './testing/queue-test-support.js';
import { freePort } from './testing/free-port.js';
import { ThrowawayRedis } from './testing/throwaway-redis.js';

// Clients made outside an app log through Nest's default logger: keep its debug lines out of the test output.
Logger.overrideLogger(['error', 'warn']);


const isDatabaseDown: ErrorClassifier = (error) => {
  const code = (error as { code?: unknown }).code;
  if (code === 'ECONNREFUSED') return 'unavailable';
  if (code === '22P02') return 'permanent';
  return undefined;
};

describe('keeping queued messages only as long as needed', () => {
  let bed: QueueTestBed;
  afterEach(async () => {
    await bed.dispose();
  });

  it("gives each job the client's retention, which a message may override", async () => {
    bed = new QueueTestBed({ keepCompletedForSeconds: 1234, keepFailedForSeconds: 5678 });
    const plain = await bed.publish('test.record', { a: 1 });
    const overridden = randomUUID();
    await lastValueFrom(
      bed.client.emit('test.record', new QueueRecord({ a: 2 }, { jobId: overridden, keepCompletedForSeconds: 60, keepFailedForSeconds: 120 })),
      { defaultValue: undefined },
    );
    const queue = await bed.client.connect();
    expect((await queue.getJob(plain))?.opts).toMatchObject({ removeOnComplete: { age: 1234 }, removeOnFail: { age: 5678 } });
    expect((await queue.getJob(overridden))?.opts).toMatchObject({ removeOnComplete: { age: 60 }, removeOnFail: { age: 120 } });
  });

  it('keeps dead letters for 30 days and completed messages for an hour unless told otherwise', async () => {
    bed = new QueueTestBed();
    const jobId = await bed.publish('test.record', {});
    const queue = await bed.client.connect();
    expect((await queue.getJob(jobId))?.opts).toMatchObject({ removeOnComplete: { age: 3600 }, removeOnFail: { age: 30 * 86_400 } });
  });

  it('removes a message marked keepCompletedForSeconds: 0 as soon as it is handled', async () => {
    bed = new QueueTestBed();
    await bed.startConsumer();
    const jobId = randomUUID();
    await lastValueFrom(bed.client.emit('test.record', new QueueRecord({ refusal: 1 }, { jobId, keepCompletedForSeconds: 0 })), {
      defaultValue: undefined,
    });
    await waitFor('the handler', () => bed.recorder.of(jobId).length === 1);
    await waitFor('the job to be gone', async () => (await bed.jobState(jobId)) === 'unknown');
    expect(await countKeys(`${bed.prefix}:${bed.queue}:${jobId}*`)).toBe(0);
  });

  it('refuses a retention that is not a whole number of seconds', () => {
    expect(() => new QueueRecord({}, { jobId: 'a-job', keepCompletedForSeconds: -1 })).toThrow(/keepCompletedForSeconds must be a whole number/);
    expect(() => new QueueRecord({}, { jobId: 'a-job', keepFailedForSeconds: 1.5 })).toThrow(/keepFailedForSeconds must be a whole number/);
  });
});

describe('a Redis that does not answer', () => {
  let redis: ThrowawayRedis | undefined;
  let silent: Server | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    redis?.stop();
    redis = undefined;
    for (const socket of sockets.splice(0)) socket.destroy();
    await new Promise((resolve) => (silent ? silent.close(resolve) : resolve(undefined)));
    silent = undefined;
  });

  it('fails a publish within the publish timeout, and closing does not hang', async () => {
    redis = await ThrowawayRedis.start();
    const client = new QueueClient({ redisUrl: redis.url, prefix: `test-${randomUUID()}`, queue: 'frozen', publishTimeoutMs: 500 });
    await client.connect();
    redis.freeze(); // connections stay open; nothing is answered

    const started = Date.now();
    const publish = lastValueFrom(client.emit('test.record', new QueueRecord({}, { jobId: randomUUID() })), { defaultValue: undefined });
    await expect(publish).rejects.toThrow(QueueUnavailableError);
    await expect(publish).rejects.toThrow(/^Redis at 127\.0\.0\.1:\d+ did not confirm the message on queue frozen within 500 ms$/);
    expect(Date.now() - started).toBeLessThan(2000);

    const closing = Date.now();
    await client.close();
    expect(Date.now() - closing).toBeLessThan(2000);
  });

  it('fails a publish within the timeout when the connection itself is never answered', async () => {
    const port = await freePort();
    silent = createServer((socket) => {
      sockets.push(socket);
      socket.resume(); // reads, never replies
    }).listen(port, '127.0.0.1');
    const client = new QueueClient({ redisUrl: `redis://127.0.0.1:${port}/0`, queue: 'silent', publishTimeoutMs: 300 });
    const started = Date.now();
    await expect(lastValueFrom(client.emit('test.record', new QueueRecord({}, { jobId: randomUUID() })), { defaultValue: undefined })).rejects.toThrow(
      QueueUnavailableError,
    );
    expect(Date.now() - started).toBeLessThan(1500);
    await client.close();
  });
});

describe('a dependency outage', () => {
  let bed: QueueTestBed;
  beforeEach(() => {
    // Two attempts: without the pause, an outage of a second would dead-letter everything.
    bed = new QueueTestBed({ attempts: 2, backoffDelayMs: 20 });
  });
  afterEach(async () => {
    await bed.dispose();
  });

  it('pauses the consumer without using attempts, and resumes when the probe answers', async () => {
    const probes: number[] = [];
    const server = await bed.startConsumer({
      classifyError: isDatabaseDown,
      probeAvailability: async () => {
        probes.push(Date.now());
        if (bed.recorder.databaseDown) throw new Error('still down');
      },
      availabilityProbeIntervalMs: 100,
    });
    bed.recorder.databaseDown = true;
    const ids = await Promise.all([1, 2, 3, 4, 5].map((n) => bed.publish('test.needs-database', { n })));

    await waitFor('the consumer to pause', () => server.isWaitingForDependency());
    expect(server.isConsuming()).toBe(false);
    await waitFor('several probes', () => probes.length >= 5);
    const queue = await bed.client.connect();
    expect(await queue.getJobCountByTypes('failed')).toBe(0);
    for (const id of ids) expect((await queue.getJob(id))?.attemptsMade).toBe(0);
    const triedWhileDown = bed.recorder.deliveries.length;
    await delay(300);
    // Paused: the messages are not tried again and again meanwhile.
    expect(bed.recorder.deliveries.length).toBe(triedWhileDown);

    bed.recorder.databaseDown = false;
    for (const id of ids) await waitFor(`message ${id} to complete`, async () => (await bed.jobState(id)) === 'completed');
    expect(server.isWaitingForDependency()).toBe(false);
    expect(server.isConsuming()).toBe(true);
    // Every delivery was a first attempt: the outage used none up.
    expect(bed.recorder.deliveries.every((delivery) => delivery.attempt === 1)).toBe(true);
    expect(await queue.getJobCountByTypes('failed')).toBe(0);
  });

  it('dead-letters at once, marked permanent, an error the classifier calls permanent', async () => {
    bed.recorder.databaseDown = true;
    bed.recorder.databaseError = () => Object.assign(new Error('invalid input syntax for type uuid: "x"'), { code: '22P02' });
    await bed.startConsumer({ classifyError: isDatabaseDown, probeAvailability: async () => undefined });
    const jobId = await bed.publish('test.needs-database', {});
    expect(await waitFor('the dead letter', () => bed.deadLetter(jobId))).toMatchObject({
      permanent: true,
      attemptsMade: 1,
      reason: 'invalid input syntax for type uuid: "x"',
    });
  });

  it('stops promptly while paused', async () => {
    const server = await bed.startConsumer({
      classifyError: isDatabaseDown,
      probeAvailability: async () => Promise.reject(new Error('down')),
      availabilityProbeIntervalMs: 200,
    });
    bed.recorder.databaseDown = true;
    await bed.publish('test.needs-database', {});
    await waitFor('the consumer to pause', () => server.isWaitingForDependency());
    const started = Date.now();
    await bed.app?.close();
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('replaying dead letters in bulk', () => {
  let bed: QueueTestBed;
  beforeEach(() => {
    bed = new QueueTestBed({ attempts: 1 });
  });
  afterEach(async () => {
    await bed.dispose();
  });

  it('replays a queue’s dead letters, or only those that failed in a time range', async () => {
    await bed.startConsumer();
    const early = await bed.publish('test.broken', { n: 1 });
    await waitFor('the first dead letter', () => bed.deadLetter(early));
    await delay(50);
    const boundary = new Date();
    await delay(50);
    const late = [await bed.publish('test.broken', { n: 2 }), await bed.publish('test.broken', { n: 3 })];
    for (const id of late) await waitFor('the later dead letters', () => bed.deadLetter(id));

    for (const id of [early, ...late]) bed.recorder.fixed.add(id);
    const recent = await bed.deadLetters.replayMany(bed.queue, { failedFrom: boundary });
    expect(recent).toEqual({ replayed: expect.arrayContaining(late), more: false });
    expect(recent.replayed).toHaveLength(2);
    for (const id of late) await waitFor('the replayed job to complete', async () => (await bed.jobState(id)) === 'completed');
    expect(await bed.jobState(early)).toBe('failed');

    await expect(bed.deadLetters.replayMany(bed.queue, { failedFrom: new Date(), failedTo: boundary })).rejects.toThrow(RangeError);
    expect(await bed.deadLetters.replayMany(bed.queue)).toEqual({ replayed: [early], more: false });
    await waitFor('the last one to complete', async () => (await bed.jobState(early)) === 'completed');
  });
});
