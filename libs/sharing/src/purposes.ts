import type { Agency } from '#contracts';

export { SHARE_PURPOSES, type SharePurpose } from '#contracts';

/**
 * What a field is, for the lawful basis: special-category data (health, including a parent's
 * diagnosis and free text that may hold it) needs an Article 9 condition as well as an Article 6 basis.
 */
export const DATA_CLASSES = [
  'identity',
  'contact_details',
  'reference',
  'incident',
  'child_voice',
  'third_party',
  'concern',
  'special_category',
  'criminal_offence',
  'outcome',
  'request',
] as const;
export type DataClass = (typeof DATA_CLASSES)[number];

/** Data classes that need an Article 9 condition (criminal offence data rides on the police's own Part 3 basis). */
export const SPECIAL_CATEGORY_CLASSES: readonly DataClass[] = ['special_category'];

/** Who holds the information: a partner agency, or the MASH itself (its questions and decisions). */
export type InformationOwner = Agency | 'mash';

/** A recipient: an agency, and the organisation inside it whose inbox receives the share. */
export interface ShareRecipient {
  agency: Agency;
  /** Null when nobody knows which organisation (a child with no known school). */
  organisation: string | null;
}
