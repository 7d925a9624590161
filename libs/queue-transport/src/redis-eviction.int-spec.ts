import { Redis } from 'ioredis';
import { RedisEvictionPolicyError } from './errors.js';
import { QueueTestBed } from './testing/queue-test-support.js';
import { ThrowawayRedis } from './testing/throwaway-redis.js';


describe('an evicting Redis', () => {
  let redis: ThrowawayRedis;
  let bed: QueueTestBed;

  beforeEach(async () => {
    redis = await ThrowawayRedis.start('allkeys-lru');
    bed = new QueueTestBed({ redisUrl: redis.url });
  });

  afterEach(async () => {
    await bed.dispose();
    redis.stop();
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
