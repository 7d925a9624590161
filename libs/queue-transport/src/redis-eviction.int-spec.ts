import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { RedisEvictionPolicyError } from './errors.js';
import { QueueTestBed, waitFor } from './testing/queue-test-support.js';

/** A Redis server of the test's own, so the shared one never changes policy. */
async function startRedis(policy: string): Promise<{ url: string; port: number; process: ChildProcess }> {
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
  const process = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no', '--maxmemory-policy', policy], {
    stdio: 'ignore',
  });
  const url = `redis://127.0.0.1:${port}/0`;
  await waitFor('the throwaway Redis to answer', async () => {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      return (await probe.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      probe.disconnect();
    }
  });
  return { url, port, process };
}

describe('an evicting Redis', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let bed: QueueTestBed;

  beforeEach(async () => {
    redis = await startRedis('allkeys-lru');
    bed = new QueueTestBed({ redisUrl: redis.url });
  });

  afterEach(async () => {
    await bed.dispose();
    redis.process.kill('SIGTERM');
  });

  it('stops the consumer and the producer from starting, naming the policy', async () => {
    const app = await bed.createConsumer({ redisUrl: redis.url });
    const consumerRefusal = await app.listen().then(() => 'started', (error: unknown) => error);
    const producerRefusal = await bed.client.connect().then(() => 'connected', (error: unknown) => error);

    for (const refusal of [consumerRefusal, producerRefusal]) {
      expect(refusal).toBeInstanceOf(RedisEvictionPolicyError);
      expect((refusal as Error).message).toBe(
        `Redis at 127.0.0.1:${redis.port} uses maxmemory-policy allkeys-lru; queued safeguarding messages could be evicted. Set maxmemory-policy noeviction.`,
      );
    }
    expect(bed.server?.isConsuming()).toBe(false);
    expect(() => bed.client.unwrap()).toThrow(/not connected/);

    const admin = new Redis(redis.url, { maxRetriesPerRequest: 3 });
    try {
      // Nothing was written under the test's prefix.
      expect(await admin.keys(`${bed.prefix}:*`)).toEqual([]);
      // Once Redis keeps every key again, the producer connects (a refusal is not remembered).
      await admin.config('SET', 'maxmemory-policy', 'noeviction');
      await expect(bed.client.connect()).resolves.toBeDefined();
    } finally {
      await admin.quit();
    }
  });
});
