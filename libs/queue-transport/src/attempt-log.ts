import type { Job } from 'bullmq';

/**
 * BullMQ keeps only the start of the latest attempt (`processedOn`). The start
 * of the first one is written to the job's log when that attempt fails, so the
 * dead-letter store can say how long a message has been failing. Successful
 * messages pay nothing. The log is deleted with the job.
 */
const FIRST_ATTEMPT_MARK = 'first attempt started at ';

export function firstAttemptLogLine(job: Pick<Job, 'processedOn'>): string {
  return `${FIRST_ATTEMPT_MARK}${new Date(job.processedOn ?? Date.now()).toISOString()}`;
}

/** The first attempt since the message was queued or last replayed, from its log lines (newest first). */
export function firstAttemptAt(
  job: Pick<Job, 'attemptsMade' | 'processedOn'>,
  logsNewestFirst: string[],
): string | null {
  const line = logsNewestFirst.find((entry) => entry.startsWith(FIRST_ATTEMPT_MARK));
  if (line) return line.slice(FIRST_ATTEMPT_MARK.length);
  // With one attempt, the latest attempt is the first.
  if (job.attemptsMade <= 1 && job.processedOn) return new Date(job.processedOn).toISOString();
  return null;
}
