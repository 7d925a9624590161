import type { DataSource } from 'typeorm';
import type { FailureKind } from '#queue-transport';

/** Node's socket errors: the database host refused, dropped or never answered the connection. */
const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * SQLSTATEs that say Postgres is not available rather than that the message is wrong:
 * class 08 (connection exceptions), 57P01-57P03 (shutting down, crashed, cannot connect now),
 * 53300 (too many connections).
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** What pg and its pool say when a connection is lost or cannot be had in time; they carry no code. */
const UNAVAILABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable|the database system is (starting up|shutting down|in recovery mode)/i;

/**
 * How the intake consumers treat a handler's database error:
 * - unavailable (the database cannot be reached): the message waits, keeping its attempts;
 * - permanent (the data can never be stored as it is: SQLSTATE classes 22 data exception,
 *   23 integrity constraint violation and 42 syntax or access rule violation): dead-lettered at once;
 * - a unique violation (23505) or a serialisation failure or deadlock (40001, 40P01) is a concurrent
 *   writer's doing, which a retry resolves (the intake's own duplicate check handles a repeated
 *   notification before this point), so these are transient;
 * - anything else: left to the transport's own rules.
 */
export function classifyDatabaseError(error: unknown): FailureKind | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = errorCode(error);
  if (code) {
    if (NETWORK_ERROR_CODES.has(code) || code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code)) return 'unavailable';
    if (code === '23505' || code === '40001' || code === '40P01') return 'transient';
    if (/^(22|23|42)[0-9A-Z]{3}$/.test(code)) return 'permanent';
  }
  const message = (error as { message?: unknown }).message;
  if (typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message)) return 'unavailable';
  return undefined;
}

/** TypeORM's QueryFailedError copies the driver's fields; a pool error is pg's own. */
function errorCode(error: object): string | undefined {
  const own = (error as { code?: unknown }).code;
  if (typeof own === 'string') return own;
  const driver = (error as { driverError?: { code?: unknown } }).driverError?.code;
  return typeof driver === 'string' ? driver : undefined;
}

/** Resolves when Postgres answers SELECT 1 within the time given; rejects otherwise. */
export async function probeDatabase(dataSource: DataSource, timeoutMs = 2_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const answer = dataSource.query('SELECT 1');
  answer.catch(() => undefined);
  try {
    await Promise.race([
      answer,
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`database did not answer within ${timeoutMs} ms`)), timeoutMs))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
