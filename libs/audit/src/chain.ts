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

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (value === undefined) return 'null';
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('audit details must not hold NaN or Infinity');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value as Record<string, unknown>)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`).join(',')}}`;
}
