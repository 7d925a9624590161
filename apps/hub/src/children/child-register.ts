import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { normaliseNhsNumber, type ChildSubject } from '#contracts';
import { matchLockKeys, normaliseName, type ChildIdentity } from './child-matching.js';

export type MatchedBy = 'nhs_number' | 'name_and_date_of_birth';

/** The part of a child record that matching reads. */
export interface RegisteredChild {
  id: string;
  nhsNumber: string | null;
  normalisedName: string;
  dateOfBirth: string | null;
  expectedDateOfDelivery: string | null;
}

export interface ChildMatch {
  child: RegisteredChild;
  created: boolean;
  matchedBy: MatchedBy | null;
  /** Set when a matched record gained the NHS number it lacked. */
  nhsNumberAdded: boolean;
}

/** A child a notification names: who they are as sent, and the identity matching compares. */
export interface NamedChild {
  subject: ChildSubject;
  identity: ChildIdentity;
}

export function identify(subject: ChildSubject): ChildIdentity {
  return {
    nhsNumber: subject.nhsNumber ? normaliseNhsNumber(subject.nhsNumber) : null,
    normalisedName: normaliseName(subject.givenName, subject.familyName),
    dateOfBirth: subject.dateOfBirth ?? null,
    expectedDateOfDelivery: subject.expectedDateOfDelivery ?? null,
  };
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

/** Finds the children notifications are about, registering the new ones. */
@Injectable()
export class ChildRegister {
  /**
   * One match per named child, in order, exactly as if each were matched in turn: a child registered
   * (or given an NHS number) for an earlier one is what a later one matches. Three statements however
   * many children: one read of every candidate, one insert, one update. Call with every identity
   * locked (identityLockKeys) in the same transaction.
   */
  async matchAll(manager: EntityManager, named: NamedChild[]): Promise<ChildMatch[]> {
    if (!named.length) return [];
    const known = await this.candidates(
      manager,
      named.map((child) => child.identity),
    );
    const created: Array<RegisteredChild & { givenName: string; familyName: string }> = [];
    const nhsNumbersAdded = new Map<string, string>();
    const matches = named.map(({ subject, identity }): ChildMatch => {
      if (identity.nhsNumber) {
        const byNhs = known.find((child) => child.nhsNumber === identity.nhsNumber);
        if (byNhs) return { child: byNhs, created: false, matchedBy: 'nhs_number', nhsNumberAdded: false };
      }
      // The earliest registered first; `known` is in that order and new records join its end.
      const byName = known.find((child) => sameNameAndDate(child, identity) && !(identity.nhsNumber && child.nhsNumber));
      if (byName) {
        let nhsNumberAdded = false;
        if (identity.nhsNumber && !byName.nhsNumber) {
          // Carry the number forward so the next notification matches on it.
          byName.nhsNumber = identity.nhsNumber;
          nhsNumbersAdded.set(byName.id, identity.nhsNumber);
          nhsNumberAdded = true;
        }
        return { child: byName, created: false, matchedBy: 'name_and_date_of_birth', nhsNumberAdded };
      }
      const child = { id: randomUUID(), ...identity, givenName: subject.givenName, familyName: subject.familyName };
      known.push(child);
      created.push(child);
      return { child, created: true, matchedBy: null, nhsNumberAdded: false };
    });

    if (created.length) {
      await manager.query(
        `INSERT INTO child (id, nhs_number, given_name, family_name, normalised_name, date_of_birth, expected_date_of_delivery)
         SELECT id, nhs_number, given_name, family_name, normalised_name, date_of_birth, expected_date_of_delivery
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
    return matches;
  }

  /** Every record any of the identities could match, earliest registered first. */
  private async candidates(manager: EntityManager, identities: ChildIdentity[]): Promise<RegisteredChild[]> {
    const nhsNumbers = identities.flatMap((identity) => (identity.nhsNumber ? [identity.nhsNumber] : []));
    const names = identities.map((identity) => identity.normalisedName);
    const dates = identities.flatMap((identity) => [identity.dateOfBirth, identity.expectedDateOfDelivery]).filter((date) => date !== null);
    return (await manager.query(
      `SELECT id, nhs_number AS "nhsNumber", normalised_name AS "normalisedName",
              date_of_birth::text AS "dateOfBirth", expected_date_of_delivery::text AS "expectedDateOfDelivery"
         FROM child
        WHERE nhs_number = ANY($1::varchar[])
           OR (normalised_name = ANY($2::varchar[]) AND (date_of_birth = ANY($3::date[]) OR expected_date_of_delivery = ANY($3::date[])))
        ORDER BY created_at, id`,
      [nhsNumbers, names, dates],
    )) as RegisteredChild[];
  }
}

/**
 * Same normalised name and date of birth (or, for an unborn child, expected date of
 * delivery). A record holding a different NHS number is a different child, however
 * alike the names: the caller checks that.
 */
function sameNameAndDate(child: RegisteredChild, identity: ChildIdentity): boolean {
  if (child.normalisedName !== identity.normalisedName) return false;
  return identity.dateOfBirth ? child.dateOfBirth === identity.dateOfBirth : child.expectedDateOfDelivery === identity.expectedDateOfDelivery && child.expectedDateOfDelivery !== null;
}
