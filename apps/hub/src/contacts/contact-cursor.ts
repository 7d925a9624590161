import { isUuidText } from '#contracts';
import { MASH_STATES } from '#screening';

/** How the queue is ordered: soonest decision deadline first, or newest first. */
export const CONTACT_SORTS = ['deadline', 'newest'] as const;
export type ContactSort = (typeof CONTACT_SORTS)[number];

/**
 * The order a queue is shown in when none is asked for: contacts still waiting in the MASH by the
 * deadline their decision is due by (what a screener must do next); closed and all contacts newest first.
 */
export function sortOf(query: { status?: string; sort?: ContactSort }): ContactSort {
  if (query.sort) return query.sort;
  return query.status === 'open' || MASH_STATES.includes(query.status as never) ? 'deadline' : 'newest';
}

/**
 * Where a page of the queue ends: the sort it was made under, the last contact's sort key (its
 * received time, or its decision deadline, null when not yet set) to the microsecond, in UTC, and
 * its id to break ties. The next page starts just after this position, not after the contact, so
 * another contact's deadline moving (or the last one's own) cannot shift the pages under the reader.
 */
export interface ContactCursor {
  sort: ContactSort;
  /** `YYYY-MM-DDTHH:MM:SS.ffffff`, UTC; null for a deadline not yet set (those come last). */
  key: string | null;
  id: string;
}

const KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/;

/** Opaque to clients: they pass back the `next` they were given. */
export function encodeContactCursor(cursor: ContactCursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, cursor.key, cursor.id])).toString('base64url');
}

/** The cursor, or null when the text is not one this hub handed out. */
export function decodeContactCursor(text: unknown): ContactCursor | null {
  if (typeof text !== 'string' || text.length > 200 || !/^[A-Za-z0-9_-]+$/.test(text)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) return null;
  const [sort, key, id] = parsed as unknown[];
  if (!CONTACT_SORTS.includes(sort as ContactSort) || !isUuidText(id)) return null;
  if (!(typeof key === 'string' && KEY.test(key)) && !(key === null && sort === 'deadline')) return null;
  return { sort: sort as ContactSort, key, id: id.toLowerCase() };
}
