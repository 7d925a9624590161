import { Redis } from 'ioredis';

/** A plain Redis connection for health checks and small records; queue connections are the transport's. */
export function connectRedis(url: string, name: string): Redis {
  return new Redis(url, { connectionName: name, maxRetriesPerRequest: 3, lazyConnect: false });
}
