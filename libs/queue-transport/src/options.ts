export interface QueueConnectionOptions {
  /** e.g. redis://127.0.0.1:6379/0 */
  redisUrl: string;
  /** BullMQ key prefix; default 'mash'. */
  prefix?: string;
}

/**
 * What a consumer makes of a handler's error:
 * - 'unavailable': something the handler depends on (e.g. its database) is not answering. The
 *   message goes back to the queue without using up an attempt, and the consumer pauses until
 *   the availability probe answers.
 * - 'permanent': the message can never succeed as it is; dead-lettered at once, marked permanent.
 * - 'transient': retried with the producer's backoff.
 * - undefined: the transport's own rules decide (PermanentMessageError and the like are permanent,
 *   anything else transient).
 */
export type FailureKind = 'unavailable' | 'permanent' | 'transient';
export type ErrorClassifier = (error: unknown) => FailureKind | undefined;

export interface QueueServerOptions extends QueueConnectionOptions {
  /** The one queue this process consumes. */
  queue: string;
  /** Messages handled at once; default 8. */
  concurrency?: number;
  /** How long a worker holds a job before it counts as stalled; default 30000. */
  lockDurationMs?: number;
  /** How often stalled jobs (e.g. of a killed process) are moved back to waiting; default 30000. */
  stalledIntervalMs?: number;
  /** Sorts handlers' errors; see FailureKind. Without it, every error is permanent or transient by the transport's rules. */
  classifyError?: ErrorClassifier;
  /**
   * Resolves when the handlers' dependency answers again, rejects while it does not. Called while
   * the consumer is paused for an 'unavailable' error; required with classifyError.
   */
  probeAvailability?: () => Promise<void>;
  /** How often a paused consumer probes; default 1000. */
  availabilityProbeIntervalMs?: number;
  /** The longest retry delay of messages its producer published with maxBackoffDelayMs; give both the same value. */
  maxBackoffDelayMs?: number;
}

export interface QueueClientOptions extends QueueConnectionOptions {
  /** The queue this client publishes to. */
  queue: string;
  /** Attempts per message before it is dead-lettered; default 8. */
  attempts?: number;
  /** First retry delay; exponential with jitter 0.5; default 1000. */
  backoffDelayMs?: number;
  /**
   * No retry waits longer than this (then jitter 0.5 below it). Unset: no cap. The consumer must be
   * given the same maxBackoffDelayMs, as BullMQ computes the delay in the worker.
   */
  maxBackoffDelayMs?: number;
  /** Completed jobs are removed after this long (0: at once); default 1 hour. A message's QueueRecord may say otherwise. */
  keepCompletedForSeconds?: number;
  /** Dead letters (failed jobs) are removed after this long; default 30 days. A message's QueueRecord may say otherwise. */
  keepFailedForSeconds?: number;
  /** How long a publish may wait for Redis before it fails with QueueUnavailableError; default 5000. */
  publishTimeoutMs?: number;
}

export const DEFAULT_PREFIX = 'mash';
export const DEFAULT_CONCURRENCY = 8;
export const DEFAULT_LOCK_DURATION_MS = 30_000;
export const DEFAULT_STALLED_INTERVAL_MS = 30_000;
export const DEFAULT_ATTEMPTS = 8;
export const DEFAULT_BACKOFF_DELAY_MS = 1_000;
export const DEFAULT_KEEP_COMPLETED_FOR_SECONDS = 60 * 60;
export const DEFAULT_KEEP_FAILED_FOR_SECONDS = 30 * 24 * 60 * 60;
export const DEFAULT_PUBLISH_TIMEOUT_MS = 5_000;
export const DEFAULT_AVAILABILITY_PROBE_INTERVAL_MS = 1_000;

/** The backoff type of messages published with maxBackoffDelayMs. */
export const CAPPED_EXPONENTIAL_BACKOFF = 'capped-exponential';
