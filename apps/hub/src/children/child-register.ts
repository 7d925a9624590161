import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { normaliseNhsNumber, type ChildSubject } from '#contracts';
import { Child } from './child.entity.js';
import { matchLockKeys, normaliseName, type ChildIdentity } from './child-matching.js';

export type MatchedBy = 'nhs_number' | 'name_and_date_of_birth';

export interface ChildMatch {
  child: Child;
  created: boolean;
  matchedBy: MatchedBy | null;
  /** Set when a matched record gained the NHS number it lacked. */
  nhsNumberAdded: boolean;
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
 * every child of a notification at once (lockAllInOrder), before matching any
 * of them, so notifications naming the same children in another order cannot
 * deadlock.
 */
export function identityLockKeys(identities: ChildIdentity[]): string[] {
  return identities.flatMap(matchLockKeys);
}

/** Finds the child a notification is about, or registers a new one. */
@Injectable()
export class ChildRegister {
  /** Call with the identity locked (identityLockKeys) in the same transaction. */
  async findOrCreate(manager: EntityManager, subject: ChildSubject, identity: ChildIdentity): Promise<ChildMatch> {
    if (identity.nhsNumber) {
      const byNhs = await manager.findOneBy(Child, { nhsNumber: identity.nhsNumber });
      if (byNhs) return { child: byNhs, created: false, matchedBy: 'nhs_number', nhsNumberAdded: false };
    }

    const byName = await this.findByNameAndDate(manager, identity);
    if (byName) {
      let nhsNumberAdded = false;
      if (identity.nhsNumber && !byName.nhsNumber) {
        // Carry the number forward so the next notification matches on it.
        await manager.update(Child, { id: byName.id }, { nhsNumber: identity.nhsNumber });
        byName.nhsNumber = identity.nhsNumber;
        nhsNumberAdded = true;
      }
      return { child: byName, created: false, matchedBy: 'name_and_date_of_birth', nhsNumberAdded };
    }

    const child = manager.create(Child, {
      id: randomUUID(),
      nhsNumber: identity.nhsNumber,
      givenName: subject.givenName,
      familyName: subject.familyName,
      normalisedName: identity.normalisedName,
      dateOfBirth: identity.dateOfBirth,
      expectedDateOfDelivery: identity.expectedDateOfDelivery,
    });
    await manager.insert(Child, child);
    return { child, created: true, matchedBy: null, nhsNumberAdded: false };
  }

  /**
   * Same normalised name and date. A record holding a different NHS number is
   * a different child, however alike the names.
   */
  private async findByNameAndDate(manager: EntityManager, identity: ChildIdentity): Promise<Child | null> {
    const query = manager
      .createQueryBuilder(Child, 'child')
      .where('child.normalised_name = :name', { name: identity.normalisedName })
      .orderBy('child.created_at', 'ASC')
      .limit(1);
    if (identity.dateOfBirth) query.andWhere('child.date_of_birth = :dob', { dob: identity.dateOfBirth });
    else query.andWhere('child.expected_date_of_delivery = :edd', { edd: identity.expectedDateOfDelivery });
    if (identity.nhsNumber) query.andWhere('child.nhs_number IS NULL');
    return query.getOne();
  }
}
