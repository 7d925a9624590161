import { createHash } from 'node:crypto';
import type { Agency } from '#contracts';

/** Namespace for notification ids (a fixed random UUID). */
const NAMESPACE = Buffer.from('5b7e0c3a9f4d4e21a6c81d2f3b4a5c6d', 'hex');

/**
 * The notification id is a name-based UUID (version 5) of the agency, the
 * sending organisation inside it (force, trust, school, …) and the partner's
 * reference, so the same notice always gets the same id, in every adapter
 * instance and after any restart, and two organisations that number their
 * notices alike never share one. Organisation codes are letters and digits
 * only, so the name is unambiguous.
 */
export function notificationIdFor(agency: Agency, organisation: string, partnerReference: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(`${agency}:${organisation}:${partnerReference}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A stable fingerprint of a partner's submission: same content, same fingerprint, whatever the key order. */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('hex');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
