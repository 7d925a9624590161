import { Transform } from 'class-transformer';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A UUID in its hyphenated form, in either case. */
export function isUuidText(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/**
 * The one form an id is kept in: lower case and hyphenated, as Postgres gives
 * a uuid back. Ids are put in this form at the edge, before anything stores,
 * hashes or compares them, so one id never has two spellings (an audit event
 * hashed with one and stored with the other would look tampered with).
 */
export function canonicalUuid(value: string): string {
  if (!isUuidText(value)) throw new TypeError(`not a UUID: ${JSON.stringify(String(value).slice(0, 60))}`);
  return value.toLowerCase();
}

/** Lower-cases a UUID-shaped value before validation; anything else is left for the validator to refuse. */
export const ToCanonicalUuid = () =>
  Transform(({ value }: { value: unknown }) => (isUuidText(value) ? value.toLowerCase() : value));
