import { createHash } from 'node:crypto';

/** The previous hash of the first event: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** The serialisation's version, part of every hash, so the format can change without ambiguity. */
export const CHAIN_FORMAT_VERSION = 1;

/** An audit event as stored: everything that its hash covers. */
export interface ChainedEvent {
  sequence: string;
  occurredAt: string;
  actorType: string;
  actorId: string;
  onBehalfOf: string | null;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  childId: string | null;
  purpose: string | null;
  lawfulBasis: string | null;
  correlationId: string | null;
  details: Record<string, unknown>;
  previousHash: string;
  hash: string;
}

export type UnhashedEvent = Omit<ChainedEvent, 'hash'>;

/**
 * A fixed-order JSON array of the event's fields, with object keys sorted at
 * every depth: the same event always serialises to the same bytes, whichever
 * process wrote it and however Postgres stored its jsonb.
 */
export function canonicalSerialisation(event: UnhashedEvent): string {
  return canonicalJson([
    CHAIN_FORMAT_VERSION,
    event.sequence,
    event.occurredAt,
    event.actorType,
    event.actorId,
    event.onBehalfOf,
    event.action,
    event.subjectType,
    event.subjectId,
    event.childId,
    event.purpose,
    event.lawfulBasis,
    event.correlationId,
    event.details,
    event.previousHash,
  ]);
}

/** SHA-256 over the serialisation, which includes the predecessor's hash: each event vouches for all before it. */
export function hashEvent(event: UnhashedEvent): string {
  return createHash('sha256').update(canonicalSerialisation(event)).digest('hex');
}

/** JSON with object keys sorted at every depth and no white space. */
export function canonicalJson(value: unknown): string {
  // Sorting into fresh objects and letting the native stringifier write them is several times faster than building the string by hand.
  return JSON.stringify(sortKeys(value)) ?? 'null';
}

function sortKeys(value: unknown): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('audit details must not hold NaN or Infinity');
    return value;
  }
  if (Array.isArray(value)) return value.map(sortKeys);
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value as Record<string, unknown>).sort()) {
    sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  }
  return sorted;
}
