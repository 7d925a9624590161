import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RedisEvictionPolicyError } from './errors.js';

const logger = new Logger('QueueTransport');

/**
 * A connection for BullMQ. `maxRetriesPerRequest: null` is required by
 * workers (their blocking commands must survive reconnects) and makes queue
 * commands wait for Redis to come back instead of failing after a few tries.
 * Producers give a command timeout, so a publish never waits on Redis without
 * end; consumers must not (their blocking commands wait on purpose).
 */
export function createQueueConnection(redisUrl: string, name: string, { commandTimeoutMs }: { commandTimeoutMs?: number } = {}): Redis {
  const redis = new Redis(redisUrl, {
    maxRetriesPerRequest: null,
    connectionName: name,
    ...(commandTimeoutMs !== undefined && { commandTimeout: commandTimeoutMs }),
  });
  // ioredis reconnects by itself; without a listener it would print "Unhandled error event".
  redis.on('error', (error: Error) => logger.warn({ message: 'queue Redis connection error', connection: name, error: error.message }));
  return redis;
}

/** How long a polite QUIT may take before the connection is simply dropped. */
const QUIT_WAIT_MS = 2_000;

/** Closes a connection we own; one that never connected, or a Redis that does not answer QUIT in time, is just disconnected. */
export async function quit(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  try {
    if (!(await settlesWithin(redis.quit(), QUIT_WAIT_MS))) redis.disconnect();
  } catch {
    redis.disconnect();
  }
}

/** Waits for `work` at most `ms`: true if it settled in time (its failure is rethrown), false if not. */
export async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = work.then(() => true);
  settled.catch(() => undefined); // a failure after the wait has no one left to tell
  try {
    return await Promise.race([settled, new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** host:port (or socket path) of a connection, for messages. Never the URL: it may carry a password. */
export function describeRedis(redis: Redis): string {
  const { path, host, port } = redis.options;
  return path ? path : `${host ?? '127.0.0.1'}:${port ?? 6379}`;
}

/**
 * Refuses a Redis that may evict keys: an evicted job is a safeguarding
 * message lost without trace. Reads `INFO memory` rather than `CONFIG GET`
 * because managed Redis services often disable CONFIG.
 */
export async function assertRedisKeepsQueuedMessages(redis: Redis, where: string): Promise<void> {
  const info = await redis.info('memory');
  const problem = evictionPolicyProblem(where, readMaxmemoryPolicy(info));
  if (problem) throw problem;
}

/** The `maxmemory_policy` field of an `INFO` reply, or null when absent. */
export function readMaxmemoryPolicy(info: string): string | null {
  const match = /^maxmemory_policy:(.*)$/m.exec(info);
  return match ? match[1].trim() : null;
}

/** The refusal for a policy, or null when the policy keeps every key. */
export function evictionPolicyProblem(where: string, policy: string | null): RedisEvictionPolicyError | null {
  if (policy === 'noeviction') return null;
  const found = policy ? `uses maxmemory-policy ${policy}` : 'does not report its maxmemory-policy';
  return new RedisEvictionPolicyError(
    `Redis at ${where} ${found}; queued safeguarding messages could be evicted. Set maxmemory-policy noeviction.`,
    policy,
  );
}
