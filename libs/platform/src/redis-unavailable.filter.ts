import { Catch, HttpStatus, type ArgumentsHost } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Response } from 'express';

/** How soon a caller may try again after a 503. */
const RETRY_AFTER_SECONDS = 30;

/**
 * Whether an error means Redis did not answer in time: a publish that timed
 * out (the transport's QueueUnavailableError), a command past its timeout, or
 * a command given up after reconnecting.
 */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === 'QueueUnavailableError' ||
    error.name === 'MaxRetriesPerRequestError' ||
    error.message === 'Command timed out' ||
    error.message === 'Connection is closed.'
  );
}

/**
 * Answers 503 with a clear message when Redis (the message store) does not
 * answer, instead of a bare 500; nothing was accepted, and sending the same
 * request again is safe. Every other error goes to Nest's own handling.
 * Register it before more specific filters (Nest tries the last registered first).
 */
@Catch()
export class RedisUnavailableFilter extends BaseExceptionFilter {
  override catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http' || !isRedisUnavailable(error)) return super.catch(error, host);
    const response = host.switchToHttp().getResponse<Response>();
    response.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    response.status(HttpStatus.SERVICE_UNAVAILABLE).json({
      statusCode: 503,
      error: 'Service Unavailable',
      message:
        'The MASH message store is not answering, so this request was not completed. Nothing has been lost: send it again later (sending the same reference again is safe).',
    });
  }
}
