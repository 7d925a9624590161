export interface QueueConnectionOptions {
  /** e.g. redis://127.0.0.1:6379/0 */
  redisUrl: string;
  /** BullMQ key prefix; default 'mash'. */
  prefix?: string;
}

export interface QueueServerOptions extends QueueConnectionOptions {
  /** The one queue this process consumes. */
  queue: string;
  /** Messages handled at once; default 8. */
  concurrency?: number;
  /** How long a worker holds a job before it counts as stalled; default 30000. */
  lockDurationMs?: number;
  /** How often stalled jobs (e.g. of a killed process) are moved back to waiting; default 30000. */
  stalledIntervalMs?: number;
}

export interface QueueClientOptions extends QueueConnectionOptions {
  /** The queue this client publishes to. */
  queue: string;
  /** Attempts per message before it is dead-lettered; default 8. */
  attempts?: number;
  /** First retry delay; exponential with jitter 0.5; default 1000. */
  backoffDelayMs?: number;
  /** Completed jobs are removed after this long; default 7 days. */
  keepCompletedForSeconds?: number;
}

export const DEFAULT_PREFIX = 'mash';
export const DEFAULT_CONCURRENCY = 8;
export const DEFAULT_LOCK_DURATION_MS = 30_000;
export const DEFAULT_STALLED_INTERVAL_MS = 30_000;
export const DEFAULT_ATTEMPTS = 8;
export const DEFAULT_BACKOFF_DELAY_MS = 1_000;
export const DEFAULT_KEEP_COMPLETED_FOR_SECONDS = 7 * 24 * 60 * 60;
