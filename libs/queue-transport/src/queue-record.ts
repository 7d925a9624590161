export interface QueueRecordOptions {
  jobId: string;
  /** Overrides the client's keepCompletedForSeconds for this message (0: removed as soon as it is handled). */
  keepCompletedForSeconds?: number;
  /** Overrides the client's keepFailedForSeconds for this message, should it be dead-lettered. */
  keepFailedForSeconds?: number;
}

/**
 * What a producer emits: the payload plus a caller-given job id. The id makes
 * publishing idempotent: adding a job whose id BullMQ already holds is a no-op,
 * so a producer that crashed after publishing can safely publish again.
 */
export class QueueRecord<T = unknown> {
  constructor(
    readonly data: T,
    readonly options: QueueRecordOptions,
  ) {
    assertValidJobId(options?.jobId);
    assertSeconds('keepCompletedForSeconds', options.keepCompletedForSeconds);
    assertSeconds('keepFailedForSeconds', options.keepFailedForSeconds);
  }
}

/** BullMQ's rules for custom ids, checked here so the caller gets a clear error before any I/O. */
function assertValidJobId(jobId: unknown): asserts jobId is string {
  if (typeof jobId !== 'string' || jobId.length === 0) {
    throw new Error('QueueRecord needs a non-empty string jobId (e.g. a UUID)');
  }
  if (jobId.includes(':')) {
    throw new Error(`QueueRecord jobId ${jobId} must not contain ':'`);
  }
  if (/^\d+$/.test(jobId)) {
    throw new Error(`QueueRecord jobId ${jobId} must not be an integer; BullMQ reserves those for its own ids`);
  }
}

function assertSeconds(name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new Error(`QueueRecord ${name} must be a whole number of seconds >= 0, got ${String(value)}`);
  }
}
