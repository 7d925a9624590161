/**
 * Exact matching, for now: NHS number first; otherwise the same normalised
 * name and the same date of birth (or, unborn, expected date of delivery).
 * Pure functions, so the rules are testable without a database.
 */

/** Lower case, accents and punctuation removed, spaces collapsed: "Zoë O'Neil-Smith" -> "zoe oneil smith". */
export function normaliseName(givenName: string, familyName: string): string {
  return `${givenName} ${familyName}`
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’.]/g, '')
    .replace(/[^\p{L}]+/gu, ' ')
    .trim();
}

export interface ChildIdentity {
  nhsNumber: string | null;
  normalisedName: string;
  dateOfBirth: string | null;
  expectedDateOfDelivery: string | null;
}

/** Keys under which concurrent matches for the same child must queue behind each other. */
export function matchLockKeys(identity: ChildIdentity): string[] {
  const keys = [`child-name:${identity.normalisedName}|${identity.dateOfBirth ?? `edd:${identity.expectedDateOfDelivery}`}`];
  if (identity.nhsNumber) keys.unshift(`child-nhs:${identity.nhsNumber}`);
  return keys;
}
