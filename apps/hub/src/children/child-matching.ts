import { doubleMetaphone } from 'double-metaphone';
import { canonicalGivenName } from './given-name-variants.js';

/**
 * How a notification's child is compared with a child the hub knows. Pure functions, so the rules
 * are testable without a database, and the same rules decide in one notification or a batch.
 *
 * The NHS number decides first: the same number is the same child, a different one is a different
 * child however alike the rest (never linked, never merged, not even listed for review). Without a
 * shared number, a record is scored on given name, family name, date of birth and address, each
 * agreement adding weight and each disagreement taking it away. Certain scores link; possible
 * scores make a new child and list the pair for a screener; anything lower is a new child.
 */

/** Lower case, accents and punctuation removed, spaces collapsed: "Zoë O'Neil-Smith" -> "zoe oneil smith". */
export function normaliseName(givenName: string, familyName: string): string {
  return normalisePart(`${givenName} ${familyName}`);
}

function normalisePart(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’.]/g, '')
    .replace(/[^\p{L}]+/gu, ' ')
    .trim();
}

/** "sw1a 1aa" -> "SW1A1AA": postcodes compare without case or spaces. */
export function normalisePostcode(postcode: string | null | undefined): string | null {
  const compact = postcode?.toUpperCase().replace(/\s+/g, '') ?? '';
  return compact ? compact : null;
}

/** UPRNs are numbers: leading zeros do not make another property. */
export function normaliseUprn(uprn: string | null | undefined): string | null {
  const digits = uprn?.replace(/\D/g, '').replace(/^0+(?=\d)/, '') ?? '';
  return digits ? digits : null;
}

/** The primary Double Metaphone code of a name: what it sounds like, in English spelling. */
export function nameSound(name: string): string {
  return doubleMetaphone(name.replace(/\s+/g, ''))[0].slice(0, 8);
}

export interface ChildIdentity {
  nhsNumber: string | null;
  normalisedName: string;
  dateOfBirth: string | null;
  expectedDateOfDelivery: string | null;
  /** Every given name, normalised: "mary jane". */
  givenNames: string;
  /** The first middle name ("jane"), or '': two different ones are two children. */
  givenMiddle: string;
  /** The first given name, normalised: what most comparisons use, since middle names are often left out. */
  givenFirst: string;
  /** givenFirst with common variants folded together: "bill" -> "william". */
  givenKey: string;
  givenSound: string;
  familyName: string;
  familySound: string;
  postcode: string | null;
  uprn: string | null;
}

export interface IdentityInput {
  givenName: string;
  familyName: string;
  nhsNumber?: string | null;
  dateOfBirth?: string | null;
  expectedDateOfDelivery?: string | null;
  postcode?: string | null;
  uprn?: string | null;
}

/** The keys matching compares, from a child as sent (the NHS number already checked and normalised). */
export function childIdentity(input: IdentityInput): ChildIdentity {
  const givenNames = normalisePart(input.givenName);
  const givenFirst = givenNames.split(' ')[0] ?? '';
  const familyName = normalisePart(input.familyName);
  return {
    nhsNumber: input.nhsNumber ?? null,
    normalisedName: normaliseName(input.givenName, input.familyName),
    dateOfBirth: input.dateOfBirth ?? null,
    expectedDateOfDelivery: input.expectedDateOfDelivery ?? null,
    givenNames,
    givenMiddle: givenNames.split(' ')[1] ?? '',
    givenFirst,
    givenKey: canonicalGivenName(givenFirst),
    givenSound: nameSound(givenFirst),
    familyName,
    familySound: nameSound(familyName),
    postcode: normalisePostcode(input.postcode),
    uprn: normaliseUprn(input.uprn),
  };
}

/**
 * The date a date of birth would be with day and month swapped (03/04 read as 04/03), when that is
 * a real, different date; otherwise null.
 */
export function swappedDate(date: string | null): string | null {
  const match = date?.match(/^(\d{4})-(\d{2})-(\d{2})$/);
  if (!match) return null;
  const [, year, month, day] = match;
  if (month === day || Number(day) > 12) return null;
  const swapped = `${year}-${day}-${month}`;
  const check = new Date(`${swapped}T00:00:00Z`);
  return !Number.isNaN(check.getTime()) && check.toISOString().startsWith(swapped) ? swapped : null;
}

/** The year with day and month in either order (or the expected date of delivery): a date of birth and its swap share it. */
export function birthLockKey(identity: Pick<ChildIdentity, 'dateOfBirth' | 'expectedDateOfDelivery'>): string {
  if (!identity.dateOfBirth) return `child-due:${identity.expectedDateOfDelivery}`;
  const [year, month, day] = identity.dateOfBirth.split('-');
  return `child-born:${year}-${[month, day].sort().join('-')}`;
}

/** A lock key to be taken shared, not exclusive (see lockIdentitiesInOrderQuery). */
export const SHARED_LOCK = 'shared:';

/**
 * Keys under which concurrent matches for the same child must queue behind each other, so two
 * notifications about one new child spelt two ways cannot both register it.
 *
 * Any two children a score could call certain share one of these keys, exclusively: a certain
 * match needs the date of birth exact or swapped (so the same birth key), given names that agree
 * somehow and do not name two different middle names, and a family name that agrees somehow. Then
 * the given-name group, the given name's sound or the family name's sound is the same, or else both
 * names are typos of each other that sound different, at most 3 + 3.5 + 5 = 11.5, which is certain
 * only with the same postcode or UPRN. So each key is the birth key with one of: given-name group,
 * given-name sound, family-name sound, postcode, UPRN. Middle names keep apart the children they
 * tell apart: a child with a middle name takes each key shared and the key with its (first) middle
 * name exclusive; one without takes the key exclusive. "Mary" then waits for "Mary Jane", "Mary Jane"
 * for "Mary Jane", but "Mary Anne" and "Mary Jane" (never the same child) go on together, as do
 * children born the same day with nothing in common. The NHS number is a key of its own.
 */
export function matchLockKeys(identity: ChildIdentity): string[] {
  const born = birthLockKey(identity);
  const bases = [
    `${born}|gk:${identity.givenKey}`,
    `${born}|gs:${identity.givenSound}`,
    `${born}|fs:${identity.familySound}`,
    ...(identity.postcode ? [`${born}|pc:${identity.postcode}`] : []),
    ...(identity.uprn ? [`${born}|u:${identity.uprn}`] : []),
  ];
  const middle = identity.givenMiddle;
  const keys = middle ? bases.flatMap((base) => [`${SHARED_LOCK}${base}`, `${base}|m:${middle}`]) : bases;
  return identity.nhsNumber ? [`child-nhs:${identity.nhsNumber}`, ...keys] : keys;
}

/** Both name a middle name, and the first ones differ: two different children ("Mary Anne", "Mary Jane"). */
function differentMiddleNames(a: Pick<ChildIdentity, 'givenMiddle'>, b: Pick<ChildIdentity, 'givenMiddle'>): boolean {
  return a.givenMiddle !== '' && b.givenMiddle !== '' && a.givenMiddle !== b.givenMiddle;
}

/** Whether two dates of birth differ in exactly one digit (2015-06-04 and 2015-06-07). */
export function oneDigitApart(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let differing = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differing++;
  return differing === 1;
}

/** Every real date one digit away from this one: where the candidate search looks for a slip in a date of birth. */
export function datesOneDigitApart(date: string | null): string[] {
  if (!date || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return [];
  const found: string[] = [];
  for (let i = 0; i < date.length; i++) {
    if (date[i] === '-') continue;
    for (const digit of '0123456789') {
      if (digit === date[i]) continue;
      const candidate = date.slice(0, i) + digit + date.slice(i + 1);
      const check = new Date(`${candidate}T00:00:00Z`);
      if (!Number.isNaN(check.getTime()) && check.toISOString().startsWith(candidate)) found.push(candidate);
    }
  }
  return found;
}

/** What matching reads of a known child. */
export interface CandidateChild {
  nhsNumber: string | null;
  givenNames: string;
  givenMiddle: string;
  givenFirst: string;
  givenKey: string;
  givenSound: string;
  familyName: string;
  familySound: string;
  dateOfBirth: string | null;
  expectedDateOfDelivery: string | null;
  postcode: string | null;
  uprn: string | null;
}

export type MatchOutcome = 'certain' | 'possible' | 'none' | 'conflicting_nhs_number';

export interface MatchScore {
  outcome: MatchOutcome;
  score: number;
  /** Why, in words a screener reads: "given name is a variant (bill/william)", "date of birth has day and month swapped". */
  reasons: string[];
}

/** At or above: the same child, linked without asking. Exact name and date of birth (13) is certain. */
export const CERTAIN_SCORE = 12.5;
/** At or above (and below certain): listed for a screener. Twins at one address (8) stay below. */
export const POSSIBLE_SCORE = 9;

/** Edit distance counting a swap of neighbouring letters as one edit (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) rows.push([i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2][j - 2] + 1);
      rows[i][j] = best;
    }
  }
  return rows[a.length][b.length];
}

/** One slip of the keyboard (two in a long name); short names differ too much by one letter to call it a typo. */
function isTypo(a: string, b: string): boolean {
  const shorter = Math.min(a.length, b.length);
  if (shorter < 3) return false;
  return editDistance(a, b) <= (shorter >= 8 ? 2 : 1);
}

function compareGiven(candidate: CandidateChild, identity: CandidateChild): [number, string] {
  if (candidate.givenNames === identity.givenNames) return [4, 'same given name'];
  // A middle name left out is common; two different middle names are two children ("Mary Anne", "Mary Jane").
  if (differentMiddleNames(candidate, identity)) return [-4, 'different middle names'];
  if (candidate.givenFirst === identity.givenFirst) return [4, 'same given name'];
  if (candidate.givenKey === identity.givenKey) return [3.5, 'given name is a variant'];
  if (isTypo(candidate.givenFirst, identity.givenFirst)) return [3, 'given name differs by a typing slip'];
  if (candidate.givenSound && candidate.givenSound === identity.givenSound) return [2.5, 'given name sounds the same'];
  return [-4, 'different given name'];
}

function compareFamily(candidate: CandidateChild, identity: CandidateChild): [number, string] {
  if (candidate.familyName === identity.familyName) return [4, 'same family name'];
  const partsA = candidate.familyName.split(' ');
  const partsB = identity.familyName.split(' ');
  if ((partsA.length > 1 || partsB.length > 1) && partsA.some((part) => part.length > 1 && partsB.includes(part))) {
    return [3.5, 'family name shares a part of a double-barrelled name'];
  }
  if (isTypo(candidate.familyName.replace(/ /g, ''), identity.familyName.replace(/ /g, ''))) return [3, 'family name differs by a typing slip'];
  if (candidate.familySound && candidate.familySound === identity.familySound) return [2.5, 'family name sounds the same'];
  return [-3, 'different family name'];
}

/** [weight, reason, whether it may support a certain match]. */
function compareDates(candidate: CandidateChild, identity: CandidateChild): [number, string, boolean] {
  if (!identity.dateOfBirth) {
    return candidate.expectedDateOfDelivery !== null && candidate.expectedDateOfDelivery === identity.expectedDateOfDelivery
      ? [5, 'same expected date of delivery', true]
      : [-5, 'different expected date of delivery', false];
  }
  const theirs = candidate.dateOfBirth;
  if (!theirs) return [-5, 'no date of birth to compare', false];
  if (theirs === identity.dateOfBirth) return [5, 'same date of birth', true];
  if (theirs === swappedDate(identity.dateOfBirth)) return [3, 'date of birth has day and month swapped', true];
  // One digit off is a slip worth showing a screener, never enough to link alone (see matchLockKeys).
  if (oneDigitApart(theirs, identity.dateOfBirth)) return [2, 'date of birth differs by one digit', false];
  return [-5, 'different date of birth', false];
}

function compareAddress(candidate: CandidateChild, identity: CandidateChild): [number, string | null] {
  if (candidate.uprn && candidate.uprn === identity.uprn) return [3, 'same UPRN'];
  if (candidate.postcode && candidate.postcode === identity.postcode) return [1.5, 'same postcode'];
  return [0, null];
}

/** How alike a known child and a notification's child are, and what follows. */
export function scoreMatch(candidate: CandidateChild, identity: CandidateChild): MatchScore {
  if (candidate.nhsNumber && identity.nhsNumber && candidate.nhsNumber !== identity.nhsNumber) {
    return { outcome: 'conflicting_nhs_number', score: 0, reasons: ['different NHS numbers'] };
  }
  const [given, givenReason] = compareGiven(candidate, identity);
  const [family, familyReason] = compareFamily(candidate, identity);
  const [dates, datesReason, datesMayBeCertain] = compareDates(candidate, identity);
  const [address, addressReason] = compareAddress(candidate, identity);
  const score = given + family + dates + address;
  const reasons = [givenReason, familyReason, datesReason, ...(addressReason ? [addressReason] : [])];
  const outcome = !inSameBlock(candidate, identity) ? 'none' : score >= CERTAIN_SCORE && datesMayBeCertain ? 'certain' : score >= POSSIBLE_SCORE ? 'possible' : 'none';
  return { outcome, score, reasons };
}

/**
 * Whether the database's candidate search (ChildRegister) would return this record for this child.
 * A superset of every pair scoreMatch calls possible or certain: possible needs the given names to
 * agree somehow (a different given name, or two different middle names, score -4, and the most the
 * rest can add is 4 + 5 + 3 = 12, so at most 8), and the SQL keeps a pair whose given names are
 * equal, variants, sound alike or close enough in plain edits to be a typo (givenNameSearchDistance),
 * unless both name different middle names. Applying it to records made earlier in the same batch
 * keeps a batch's outcome exactly what one notification at a time gives.
 */
export function sharesBlock(candidate: CandidateChild, identity: CandidateChild): boolean {
  if (!inSameBlock(candidate, identity) || differentMiddleNames(candidate, identity)) return false;
  if (candidate.givenKey === identity.givenKey || candidate.givenSound === identity.givenSound) return true;
  const shorter = Math.min(candidate.givenFirst.length, identity.givenFirst.length);
  return shorter >= 3 && levenshtein(candidate.givenFirst, identity.givenFirst) <= givenNameSearchDistance(shorter);
}

/**
 * Whether the two share a key the candidate search looks up by: the date of birth as sent or with
 * day and month swapped, or the expected date of delivery; or a date of birth one digit apart with
 * the same postcode, the same UPRN, or the same given-name group and family-name sound. A date that
 * differs more scores -5, too little for a possible match (4 + 4 - 5 + 3 = 6), so no other pair needs
 * finding. Pairs that share none are never compared: a date one digit apart, with no home in common
 * and a given name in another group (a typo), is not found.
 */
function inSameBlock(candidate: CandidateChild, identity: CandidateChild): boolean {
  if (!identity.dateOfBirth) return identity.expectedDateOfDelivery !== null && candidate.expectedDateOfDelivery === identity.expectedDateOfDelivery;
  if (!candidate.dateOfBirth) return false;
  if (candidate.dateOfBirth === identity.dateOfBirth || candidate.dateOfBirth === swappedDate(identity.dateOfBirth)) return true;
  return (
    oneDigitApart(candidate.dateOfBirth, identity.dateOfBirth) &&
    ((identity.postcode !== null && candidate.postcode === identity.postcode) ||
      (identity.uprn !== null && candidate.uprn === identity.uprn) ||
      (candidate.givenKey === identity.givenKey && candidate.familySound === identity.familySound))
  );
}

/**
 * How far apart (in plain edits) two first given names may be for the candidate search to return the
 * pair, by the shorter name's length: a typo is one edit counting a swap as one (two plain), or two
 * in a name of eight letters or more (four plain). ChildRegister's SQL says the same.
 */
export function givenNameSearchDistance(shorter: number): number {
  return shorter >= 8 ? 4 : 2;
}

/** Plain Levenshtein distance, as Postgres's fuzzystrmatch computes it (the candidate search's filter). */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current.push(Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    previous = current;
  }
  return previous[b.length];
}
