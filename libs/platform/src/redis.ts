import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';

/**
 * A plain Redis connection for health checks and small records; queue connections are the transport's.
 * Each command fails after `commandTimeoutMs` rather than wait on a Redis that does not answer.
 */
export function connectRedis(url: string, name: string, { commandTimeoutMs = 5000 }: { commandTimeoutMs?: number } = {}): Redis {
  // Auto-pipelining sends the commands concurrent requests issue in the same tick as one write: under
  // load most of an adapter's time went on a socket write per Redis command. Never used for blocking
  // commands (the queues have their own connections), which would hold up the pipeline.
  const redis = new Redis(url, { connectionName: name, maxRetriesPerRequest: 3, commandTimeout: commandTimeoutMs, enableAutoPipelining: true });
  // ioredis reconnects by itself; the health check reports Redis down meanwhile. Without a listener it prints to stderr.
  const logger = new Logger(`Redis:${name}`);
  redis.on('error', (error: Error) => logger.warn({ message: 'Redis connection error', error: error.message }));
  return redis;
}
