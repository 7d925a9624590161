import { BadRequestException } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { PermanentMessageError } from './errors.js';

/**
 * Whether an error means the message can never succeed as it is:
 * - PermanentMessageError: the handler says so (e.g. an invalid payload);
 * - UnrecoverableError: BullMQ's own word for it;
 * - BadRequestException: a ValidationPipe refused the payload.
 * Everything else is treated as transient and retried.
 */
export function isPermanentError(error: unknown): boolean {
  return (
    error instanceof PermanentMessageError ||
    error instanceof UnrecoverableError ||
    (error instanceof Error && error.name === 'UnrecoverableError') ||
    error instanceof BadRequestException
  );
}

/**
 * The error the BullMQ processor throws for a handler failure. Permanent
 * failures become UnrecoverableError (same message), which BullMQ moves
 * straight to the failed set; transient ones are rethrown unchanged so BullMQ
 * retries them with the job's backoff.
 */
export function toJobFailure(error: unknown): Error {
  if (error instanceof UnrecoverableError) return error;
  if (isPermanentError(error)) return new UnrecoverableError((error as Error).message);
  if (error instanceof Error) return error;
  // Not an Error (e.g. Nest's `{ status, message }` when QueueErrorFilter is not installed): keep its message.
  return new Error(describeNonError(error));
}

function describeNonError(value: unknown): string {
  if (typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string') {
    return (value as { message: string }).message;
  }
  return `handler failed with a non-Error value: ${String(value)}`;
}

/**
 * Whether a failed job failed permanently. BullMQ records each failure's stack
 * in `stacktrace`; the last entry belongs to the final failure, and an
 * UnrecoverableError's stack starts with "UnrecoverableError: <reason>". A job
 * failed for another cause (e.g. stalling too often) has no matching entry.
 */
export function isPermanentFailure(job: Pick<Job, 'failedReason' | 'stacktrace'>): boolean {
  const last = job.stacktrace?.at(-1);
  if (!last || typeof job.failedReason !== 'string') return false;
  const header = job.failedReason ? `UnrecoverableError: ${job.failedReason}` : 'UnrecoverableError';
  return last === header || last.startsWith(`${header}\n`);
}
