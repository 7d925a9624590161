import { Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { normaliseNhsNumber, type ChildSubject } from '#contracts';
import {
  childIdentity,
  matchLockKeys,
  normaliseName,
  scoreMatch,
  sharesBlock,
  swappedDate,
  datesOneDigitApart,
  type ChildIdentity,
  type MatchScore,
} from './child-matching.js';

/** nhs_number and name_and_date_of_birth as ever; likely_identity for a certain match on the score. */
export type MatchedBy = 'nhs_number' | 'name_and_date_of_birth' | 'likely_identity';

/** The part of a child record that matching reads. */
export interface RegisteredChild extends ChildIdentity {
  id: string;
  /** Set for a record merged into another: a match on it is a match on the survivor. */
  mergedInto?: string | null;
}

/** A known child the new one may be: listed for a screener, never linked by the hub. */
export interface PossibleMatchFound {
  id: string;
  otherChildId: string;
  score: number;
  reasons: string[];
}

export interface ChildMatch {
  child: RegisteredChild;
  created: boolean;
  matchedBy: MatchedBy | null;
  /** Set when a matched record gained the NHS number it lacked. */
  nhsNumberAdded: boolean;
  /** For a certain match on the score: how alike, and why. */
  score?: MatchScore;
  /** For a new child: the known children it may be, each now on the review list. */
  possibleMatches: PossibleMatchFound[];
}

/** A child a notification names: who they are as sent, and the identity matching compares. */
export interface NamedChild {
  subject: ChildSubject;
  identity: ChildIdentity;
  /** The notification naming the child, recorded on any possible match it finds. */
  notificationId?: string;
}

export function identify(subject: ChildSubject): ChildIdentity {
  return childIdentity({
    givenName: subject.givenName,
    familyName: subject.familyName,
    nhsNumber: subject.nhsNumber ? normaliseNhsNumber(subject.nhsNumber) : null,
    dateOfBirth: subject.dateOfBirth ?? null,
    expectedDateOfDelivery: subject.expectedDateOfDelivery ?? null,
    postcode: subject.address?.postcode ?? null,
    uprn: subject.address?.uprn ?? null,
  });
}

/**
 * Two notifications about a new child arriving together must not create two
 * records: matching queues under the child's identity. Lock these keys for
 * every child at once (lockAllInOrder), before matching any of them, so
 * notifications naming the same children in another order cannot deadlock.
 */
export function identityLockKeys(identities: ChildIdentity[]): string[] {
  return identities.flatMap(matchLockKeys);
}

/** At most this many possible matches are listed for one new child: the closest. */
const POSSIBLE_MATCHES_PER_CHILD = 5;

const CHILD_COLUMNS = `id, nhs_number AS "nhsNumber", normalised_name AS "normalisedName",
  date_of_birth::text AS "dateOfBirth", expected_date_of_delivery::text AS "expectedDateOfDelivery",
  given_names AS "givenNames", given_middle AS "givenMiddle", given_first AS "givenFirst", given_key AS "givenKey", given_sound AS "givenSound", family_name AS "familyNameAsSent",
  family_sound AS "familySound", postcode, uprn, merged_into AS "mergedInto"`;

/** Finds the children notifications are about, registering the new ones. */
@Injectable()
export class ChildRegister {
  /**
   * One match per named child, in order, exactly as if each were matched in turn: a child registered
   * (or given an NHS number) for an earlier one is what a later one matches. Four statements at most
   * however many children: one read of every candidate, one insert, one update, one insert of possible
   * matches. Call with every identity locked (identityLockKeys) in the same transaction.
   */
  async matchAll(manager: EntityManager, named: NamedChild[]): Promise<ChildMatch[]> {
    if (!named.length) return [];
    const known = await this.candidates(
      manager,
      named.map((child) => child.identity),
    );
    const created: Array<RegisteredChild & { givenName: string; familyName: string }> = [];
    const nhsNumbersAdded = new Map<string, string>();
    const possibleRows: Array<PossibleMatchFound & { childId: string; notificationId: string | null }> = [];
    const matches = named.map(({ subject, identity, notificationId }): ChildMatch => {
      if (identity.nhsNumber) {
        const byNhs = known.find((child) => child.nhsNumber === identity.nhsNumber);
        if (byNhs) return { child: byNhs, created: false, matchedBy: 'nhs_number', nhsNumberAdded: false, possibleMatches: [] };
      }
      // Every candidate scored; the best certain one links, earliest registered first on a tie
      // (`known` is in that order and new records join its end).
      let best: { child: RegisteredChild; score: MatchScore } | null = null;
      const possible: Array<{ child: RegisteredChild; score: MatchScore }> = [];
      for (const child of known) {
        if (!sharesBlock(child, identity)) continue;
        const score = scoreMatch(child, identity);
        if (score.outcome === 'certain' && (!best || score.score > best.score.score)) best = { child, score };
        else if (score.outcome === 'possible' && !child.mergedInto) possible.push({ child, score });
      }
      if (best) {
        // The spelling of a merged record still finds its child: the record it was merged into.
        let byScore = best.child;
        while (byScore.mergedInto) byScore = known.find((child) => child.id === byScore.mergedInto)!;
        let nhsNumberAdded = false;
        if (identity.nhsNumber && !byScore.nhsNumber) {
          // Carry the number forward so the next notification matches on it.
          byScore.nhsNumber = identity.nhsNumber;
          nhsNumbersAdded.set(byScore.id, identity.nhsNumber);
          nhsNumberAdded = true;
        }
        const exact =
          best.child.normalisedName === identity.normalisedName &&
          (identity.dateOfBirth ? best.child.dateOfBirth === identity.dateOfBirth : best.child.expectedDateOfDelivery === identity.expectedDateOfDelivery);
        return { child: byScore, created: false, matchedBy: exact ? 'name_and_date_of_birth' : 'likely_identity', nhsNumberAdded, score: best.score, possibleMatches: [] };
      }
      const child = { id: randomUUID(), mergedInto: null, ...identity, givenName: subject.givenName, familyName: subject.familyName };
      const possibleMatches = possible
        .sort((a, b) => b.score.score - a.score.score)
        .slice(0, POSSIBLE_MATCHES_PER_CHILD)
        .map(({ child: other, score }) => ({ id: randomUUID(), otherChildId: other.id, score: score.score, reasons: score.reasons }));
      possibleRows.push(...possibleMatches.map((found) => ({ ...found, childId: child.id, notificationId: notificationId ?? null })));
      known.push({ ...child, familyName: identity.familyName });
      created.push(child);
      return { child, created: true, matchedBy: null, nhsNumberAdded: false, possibleMatches };
    });

    if (created.length) {
      await manager.query(
        `INSERT INTO child (id, nhs_number, given_name, family_name, normalised_name, date_of_birth, expected_date_of_delivery,
                            given_names, given_middle, given_first, given_key, given_sound, family_sound, postcode, uprn)
         SELECT id, nhs_number, given_name, family_name, normalised_name, date_of_birth, expected_date_of_delivery,
                given_names, given_middle, given_first, given_key, given_sound, family_sound, postcode, uprn
           FROM jsonb_populate_recordset(NULL::child, $1::jsonb)`,
        [
          JSON.stringify(
            created.map((child) => ({
              id: child.id,
              nhs_number: child.nhsNumber,
              given_name: child.givenName,
              family_name: child.familyName,
              normalised_name: child.normalisedName,
              date_of_birth: child.dateOfBirth,
              expected_date_of_delivery: child.expectedDateOfDelivery,
              given_names: child.givenNames,
              given_middle: child.givenMiddle,
              given_first: child.givenFirst,
              given_key: child.givenKey,
              given_sound: child.givenSound,
              family_sound: child.familySound,
              postcode: child.postcode,
              uprn: child.uprn,
            })),
          ),
        ],
      );
    }
    // A record registered in this batch already carries its number; only older ones need the update.
    const updates = [...nhsNumbersAdded].filter(([id]) => !created.some((child) => child.id === id));
    if (updates.length) {
      await manager.query(
        `UPDATE child SET nhs_number = added.nhs_number, updated_at = now()
           FROM unnest($1::uuid[], $2::varchar[]) AS added(id, nhs_number)
          WHERE child.id = added.id`,
        [updates.map(([id]) => id), updates.map(([, nhsNumber]) => nhsNumber)],
      );
    }
    if (possibleRows.length) {
      await manager.query(
        `INSERT INTO possible_match (id, child_id, other_child_id, score, reasons, status, found_at, notification_id)
         SELECT found.id, found.child_id, found.other_child_id, found.score, found.reasons, 'open', now(), found.notification_id
           FROM jsonb_to_recordset($1::jsonb) AS found(id uuid, child_id uuid, other_child_id uuid, score real, reasons jsonb, notification_id uuid)`,
        [
          JSON.stringify(
            possibleRows.map((row) => ({ id: row.id, child_id: row.childId, other_child_id: row.otherChildId, score: row.score, reasons: row.reasons, notification_id: row.notificationId })),
          ),
        ],
      );
    }
    return matches;
  }

  /**
   * Every record any of the identities could match, earliest registered first: the same NHS number,
   * or a shared block (date of birth as sent or with day and month swapped, expected date of
   * delivery; a date one digit apart with the same postcode, UPRN, or given-name group and
   * family-name sound), each an index lookup, kept only where the given names could agree (see
   * sharesBlock, which applies the same test to records registered earlier in the batch). A merged record comes with the record it was merged
   * into (and that one's, if merged in turn): a certain match on it is a match on its survivor, and it
   * is never listed as a possible match itself.
   */
  private async candidates(manager: EntityManager, identities: ChildIdentity[]): Promise<RegisteredChild[]> {
    const nhsNumbers = identities.flatMap((identity) => (identity.nhsNumber ? [identity.nhsNumber] : []));
    // Each child's dates of birth one digit away, by its (1-based) place in the list.
    const near = identities.flatMap((identity, index) => datesOneDigitApart(identity.dateOfBirth).map((date) => [index + 1, date] as const));
    const rows = (await preparedQuery(
      manager,
      'child-candidates',
      `WITH RECURSIVE q AS (
         SELECT * FROM unnest($2::date[], $3::date[], $4::date[], $5::varchar[], $6::varchar[], $7::varchar[], $8::varchar[], $9::varchar[], $10::varchar[], $11::varchar[])
                  WITH ORDINALITY AS q(born, swapped, due, postcode, uprn, given_first, given_key, given_sound, family_sound, given_middle, i)),
       near AS (
         SELECT q.*, near.born AS near_born FROM unnest($12::int[], $13::date[]) AS near(i, born) JOIN q ON q.i = near.i),
       blocked AS (
         SELECT c.id, c.given_first, c.given_key, c.given_sound, c.given_middle, q.given_first AS q_first, q.given_key AS q_key, q.given_sound AS q_sound, q.given_middle AS q_middle
           FROM q JOIN child c ON c.date_of_birth = q.born WHERE q.given_middle = ''
         UNION ALL SELECT c.id, c.given_first, c.given_key, c.given_sound, c.given_middle, q.given_first, q.given_key, q.given_sound, q.given_middle
           FROM q JOIN child c ON c.date_of_birth = q.born AND c.given_middle = ANY(ARRAY['', q.given_middle]) WHERE q.given_middle <> ''
         UNION ALL SELECT c.id, c.given_first, c.given_key, c.given_sound, c.given_middle, q.given_first, q.given_key, q.given_sound, q.given_middle
           FROM q JOIN child c ON c.date_of_birth = q.swapped WHERE q.given_middle = ''
         UNION ALL SELECT c.id, c.given_first, c.given_key, c.given_sound, c.given_middle, q.given_first, q.given_key, q.given_sound, q.given_middle
           FROM q JOIN child c ON c.date_of_birth = q.swapped AND c.given_middle = ANY(ARRAY['', q.given_middle]) WHERE q.given_middle <> ''
         UNION ALL SELECT c.id, c.given_first, c.given_key, c.given_sound, c.given_middle, q.given_first, q.given_key, q.given_sound, q.given_middle
           FROM q JOIN child c ON c.expected_date_of_delivery = q.due
         UNION ALL SELECT c.id, c.given_first, c.given_key, c.given_sound, c.given_middle, q.given_first, q.given_key, q.given_sound, q.given_middle
           FROM near q JOIN child c ON c.postcode = q.postcode AND c.date_of_birth = q.near_born
         UNION ALL SELECT c.id, c.given_first, c.given_key, c.given_sound, c.given_middle, q.given_first, q.given_key, q.given_sound, q.given_middle
           FROM near q JOIN child c ON c.uprn = q.uprn AND c.date_of_birth = q.near_born
         UNION ALL SELECT c.id, c.given_first, c.given_key, c.given_sound, c.given_middle, q.given_first, q.given_key, q.given_sound, q.given_middle
           FROM near q JOIN child c ON c.given_key = q.given_key AND c.family_sound = q.family_sound AND c.date_of_birth = q.near_born),
       found AS (
         SELECT id FROM blocked
          WHERE NOT (given_middle <> '' AND q_middle <> '' AND given_middle <> q_middle)
            AND (given_key = q_key OR given_sound = q_sound
                 OR (least(length(given_first), length(q_first)) >= 3
                     AND levenshtein_less_equal(given_first, q_first, 4) <= CASE WHEN least(length(given_first), length(q_first)) >= 8 THEN 4 ELSE 2 END))
         UNION SELECT id FROM child WHERE nhs_number = ANY($1::varchar[])),
       survivors AS (
         SELECT merged_into AS id FROM child WHERE id IN (SELECT id FROM found) AND merged_into IS NOT NULL
         UNION SELECT child.merged_into FROM child JOIN survivors ON child.id = survivors.id WHERE child.merged_into IS NOT NULL)
       SELECT ${CHILD_COLUMNS} FROM child WHERE id IN (SELECT id FROM found UNION SELECT id FROM survivors)
        ORDER BY created_at, id`,
      [
        nhsNumbers,
        identities.map((identity) => identity.dateOfBirth),
        identities.map((identity) => swappedDate(identity.dateOfBirth)),
        identities.map((identity) => (identity.dateOfBirth ? null : identity.expectedDateOfDelivery)),
        identities.map((identity) => identity.postcode),
        identities.map((identity) => identity.uprn),
        identities.map((identity) => identity.givenFirst),
        identities.map((identity) => identity.givenKey),
        identities.map((identity) => identity.givenSound),
        identities.map((identity) => identity.familySound),
        identities.map((identity) => identity.givenMiddle),
        near.map(([i]) => i),
        near.map(([, date]) => date),
      ],
    )) as Array<Omit<RegisteredChild, 'familyName'> & { familyNameAsSent: string }>;
    return rows.map(({ familyNameAsSent, ...row }) => ({ ...row, familyName: normaliseName('', familyNameAsSent) }));
  }
}

/**
 * Runs a statement prepared once per connection: the candidate search's plan costs more to make than
 * to run (six index lookups in one statement), and intake runs it in every transaction. Named by its
 * text's hash, so a changed statement is never confused with an old one. Falls back to a plain query
 * where the manager has no pg connection of its own.
 */
async function preparedQuery(manager: EntityManager, name: string, text: string, values: unknown[]): Promise<unknown[]> {
  const connection = (await manager.queryRunner?.connect()) as { query?: (query: { name: string; text: string; values: unknown[] }) => Promise<{ rows: unknown[] }> } | undefined;
  if (!connection?.query) return (await manager.query(text, values)) as unknown[];
  const { rows } = await connection.query({ name: `${name}-${createHash('sha256').update(text).digest('hex').slice(0, 12)}`, text, values });
  return rows;
}
