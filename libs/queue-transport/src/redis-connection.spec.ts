import type { Redis } from 'ioredis';
import { RedisEvictionPolicyError } from './errors.js';
import { assertRedisKeepsQueuedMessages, evictionPolicyProblem, readMaxmemoryPolicy } from './redis-connection.js';

const infoMemory = (policy: string) =>
  `# Memory\r\nused_memory:1014208\r\nmaxmemory:0\r\nmaxmemory_human:0B\r\nmaxmemory_policy:${policy}\r\nallocator_frag_ratio:1.00\r\n`;

/** Only `info` is used by the check; a stand-in keeps this a unit test. */
const redisAnswering = (info: string) => ({ info: async () => info }) as unknown as Redis;

describe('the no-eviction check', () => {
  it('reads maxmemory_policy from INFO memory', () => {
    expect(readMaxmemoryPolicy(infoMemory('noeviction'))).toBe('noeviction');
    expect(readMaxmemoryPolicy(infoMemory('volatile-ttl'))).toBe('volatile-ttl');
    expect(readMaxmemoryPolicy('# Memory\r\nused_memory:1\r\n')).toBeNull();
  });

  it('accepts noeviction', async () => {
    expect(evictionPolicyProblem('127.0.0.1:6379', 'noeviction')).toBeNull();
    await expect(assertRedisKeepsQueuedMessages(redisAnswering(infoMemory('noeviction')), '127.0.0.1:6379')).resolves.toBeUndefined();
  });

  it('refuses an evicting policy with a message naming the Redis, the policy and the fix', async () => {
    const refusal = assertRedisKeepsQueuedMessages(redisAnswering(infoMemory('allkeys-lru')), '127.0.0.1:6379');
    await expect(refusal).rejects.toThrow(RedisEvictionPolicyError);
    await expect(refusal).rejects.toThrow(
      'Redis at 127.0.0.1:6379 uses maxmemory-policy allkeys-lru; queued safeguarding messages could be evicted. Set maxmemory-policy noeviction.',
    );
    await expect(refusal).rejects.toMatchObject({ policy: 'allkeys-lru', name: 'RedisEvictionPolicyError' });
  });

  it('refuses every policy other than noeviction, and a Redis that does not say', () => {
    for (const policy of ['allkeys-lfu', 'allkeys-random', 'volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl']) {
      expect(evictionPolicyProblem('redis:6379', policy)?.message).toContain(`maxmemory-policy ${policy};`);
    }
    const silent = evictionPolicyProblem('redis:6379', null);
    expect(silent).toBeInstanceOf(RedisEvictionPolicyError);
    expect(silent?.message).toBe(
      'Redis at redis:6379 does not report its maxmemory-policy; queued safeguarding messages could be evicted. Set maxmemory-policy noeviction.',
    );
  });
});
