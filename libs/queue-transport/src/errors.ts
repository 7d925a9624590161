/**
 * Thrown by a handler (or anything it calls) for a message that can never
 * succeed as it is, e.g. an invalid payload. The message is not retried: it
 * goes straight to the dead-letter store, marked permanent.
 */
export class PermanentMessageError extends Error {
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'PermanentMessageError';
  }
}

/** The dead-letter store has no failed message with this id on this queue. */
export class DeadLetterNotFoundError extends Error {
  constructor(
    readonly queue: string,
    readonly id: string,
  ) {
    super(`no dead letter ${id} on queue ${queue}`);
    this.name = 'DeadLetterNotFoundError';
  }
}

/** Redis may evict keys, so queued messages could silently disappear. */
export class RedisEvictionPolicyError extends Error {
  constructor(
    message: string,
    /** The policy Redis reported, or null when it reported none. */
    readonly policy: string | null = null,
  ) {
    super(message);
    this.name = 'RedisEvictionPolicyError';
  }
}

/**
 * Redis did not confirm a message in time (it is down, or not answering). The
 * message may or may not have been queued; publishing it again under the same
 * job id is harmless.
 */
export class QueueUnavailableError extends Error {
  constructor(
    readonly queue: string,
    readonly timeoutMs: number,
    readonly where: string,
  ) {
    super(`Redis at ${where} did not confirm the message on queue ${queue} within ${timeoutMs} ms`);
    this.name = 'QueueUnavailableError';
  }
}
