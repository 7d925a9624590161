import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { staffActor } from '../access/staff-actor.js';
import type { StaffMember } from '../access/staff.js';
import { AuditTrail } from '../audit/audit-trail.js';
import { lockAllInOrder, lockIdentitiesInOrder } from '../database/advisory-locks.js';
import { childIdentity, matchLockKeys } from './child-matching.js';
import type { ChildContact, IdentityChild, ListPossibleMatchesQuery, MergeView, PossibleMatchPage, PossibleMatchReview, PossibleMatchView } from './identity.dto.js';

const PURPOSE = 'keeping one record per child';

interface ChildRow extends IdentityChild {
  createdAt: Date;
}

const CHILD_VIEW = `id, given_name AS "givenName", family_name AS "familyName", date_of_birth::text AS "dateOfBirth",
  expected_date_of_delivery::text AS "expectedDateOfDelivery", nhs_number AS "nhsNumber", postcode, uprn,
  merged_into AS "mergedInto", created_at AS "createdAt"`;

const PAIR_VIEW = `id, status, score, reasons, found_at AS "foundAt", decided_by_name AS "decidedBy", decided_at AS "decidedAt",
  child_id AS "childId", other_child_id AS "otherChildId"`;

type PairRow = Omit<PossibleMatchView, 'child' | 'otherChild' | 'foundAt' | 'decidedAt'> & { foundAt: Date; decidedAt: Date | null; childId: string; otherChildId: string };

/**
 * The review list of possible matches, and merges. Linking a pair merges the newer child into the
 * older: the newer child's contacts (with their notifications, consent and shares) and the shares
 * naming it move to the older, and its NHS number too when the older has none. What moved is kept
 * (child_merge), so a manager's unmerge puts back exactly that. Every act is in the audit trail.
 */
@Injectable()
export class IdentityDesk {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
  ) {}

  async list(query: ListPossibleMatchesQuery, staff: StaffMember): Promise<PossibleMatchPage> {
    return this.dataSource.transaction(async (manager) => {
      const rows = (await manager.query(
        `SELECT ${PAIR_VIEW} FROM possible_match
          ORDER BY status <> 'open', CASE WHEN status = 'open' THEN found_at END, decided_at DESC, id
          LIMIT $1 OFFSET $2`,
        [query.pageSize, (query.page - 1) * query.pageSize],
      )) as PairRow[];
      const children = await this.children(manager, rows.flatMap((row) => [row.childId, row.otherChildId]));
      const [{ open }] = (await manager.query(`SELECT count(*)::int AS open FROM possible_match WHERE status = 'open'`)) as { open: number }[];
      await this.audit.append(manager, [
        {
          actor: staffActor(staff),
          action: 'possible_matches.listed',
          purpose: PURPOSE,
          details: { page: query.page, pageSize: query.pageSize, possibleMatchIds: rows.map((row) => row.id) },
        },
      ]);
      return {
        items: rows.map(({ childId, otherChildId, ...row }) => ({
          ...row,
          foundAt: row.foundAt.toISOString(),
          decidedAt: row.decidedAt?.toISOString() ?? null,
          child: view(children.get(childId)!),
          otherChild: view(children.get(otherChildId)!),
        })),
        page: query.page,
        pageSize: query.pageSize,
        open,
      };
    });
  }

  /**
   * One pair, for a screener to decide on: the two children side by side with each one's contacts,
   * newest first. Recorded once for each child, so each child's access history shows the look.
   */
  async review(id: string, staff: StaffMember): Promise<PossibleMatchReview> {
    return this.dataSource.transaction(async (manager) => {
      const row = await this.pairRow(manager, id, '');
      const children = await this.children(manager, [row.childId, row.otherChildId]);
      const contacts = (await manager.query(
        `SELECT id, number::text AS number, child_id AS "childId", status, received_at AS "receivedAt", referring_agency AS "referringAgency"
           FROM contact WHERE child_id = ANY($1::uuid[]) ORDER BY received_at DESC, id DESC`,
        [[row.childId, row.otherChildId]],
      )) as Array<ChildContact & { childId: string; receivedAt: Date }>;
      const contactsOf = (childId: string) =>
        contacts.filter((contact) => contact.childId === childId).map(({ childId: _childId, ...contact }) => ({ ...contact, receivedAt: contact.receivedAt.toISOString() }));
      await this.audit.append(
        manager,
        [row.childId, row.otherChildId].map((childId) => ({
          actor: staffActor(staff),
          action: 'possible_match.viewed' as const,
          subject: { type: 'possible_match', id },
          childId,
          purpose: PURPOSE,
          details: { childId: row.childId, otherChildId: row.otherChildId, contactIds: contacts.map((contact) => contact.id) },
        })),
      );
      const { childId, otherChildId, ...match } = row;
      return {
        ...match,
        foundAt: row.foundAt.toISOString(),
        decidedAt: row.decidedAt?.toISOString() ?? null,
        child: view(children.get(childId)!),
        otherChild: view(children.get(otherChildId)!),
        childContacts: contactsOf(childId),
        otherChildContacts: contactsOf(otherChildId),
      };
    });
  }

  /**
   * The pair is one child. Refused (409, nothing changed) when already decided, when the two have
   * different NHS numbers (never merged), when either is already merged, or when both have an open
   * contact: one child may have one open contact, and folding one contact's screening, consent and
   * shares into another unseen is not the hub's to decide, so a screener closes or finishes one first.
   */
  async link(id: string, staff: StaffMember): Promise<MergeView> {
    return this.dataSource.transaction(async (manager) => {
      const found = await this.openPair(manager, id);
      // Intake's locks before any child row is locked, as intake takes them; then read again what they guard.
      await this.lockChildren(manager, [found.child, found.otherChild]);
      const pair = await this.openPair(manager, id);
      if (pair.child.nhsNumber !== found.child.nhsNumber || pair.otherChild.nhsNumber !== found.otherChild.nhsNumber) {
        // A notification gave one of them an NHS number since the first read: its lock was not taken.
        throw new ConflictException('One of these children was given an NHS number a moment ago: look at the pair again, then decide.');
      }
      const [older, newer] = [pair.child, pair.otherChild].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
      if (older.nhsNumber && newer.nhsNumber && older.nhsNumber !== newer.nhsNumber) {
        throw new ConflictException('These children have different NHS numbers: they are different children and are never merged. Keep them apart.');
      }
      if (older.mergedInto || newer.mergedInto) throw new ConflictException('One of these children is already merged into another record: decide on that record instead.');
      const [{ both }] = (await manager.query(
        `SELECT count(DISTINCT child_id) = 2 AS both FROM contact WHERE child_id = ANY($1::uuid[]) AND status <> 'closed'`,
        [[older.id, newer.id]],
      )) as { both: boolean }[];
      if (both) {
        throw new ConflictException(
          'Both children have an open contact, and a child has one open contact at a time: close or finish one of them first, then link.',
        );
      }
      const moved = await this.move(manager, newer.id, older.id, null, null);
      const movedNhsNumber = newer.nhsNumber && !older.nhsNumber ? newer.nhsNumber : null;
      if (movedNhsNumber) {
        await manager.query(`UPDATE child SET nhs_number = NULL, updated_at = now() WHERE id = $1`, [newer.id]);
        await manager.query(`UPDATE child SET nhs_number = $2, updated_at = now() WHERE id = $1`, [older.id, movedNhsNumber]);
      }
      await manager.query(`UPDATE child SET merged_into = $2, updated_at = now() WHERE id = $1`, [newer.id, older.id]);
      const mergeId = randomUUID();
      await manager.query(
        `INSERT INTO child_merge (id, surviving_child_id, merged_child_id, possible_match_id, moved_contact_ids, moved_share_ids, moved_nhs_number, merged_by_id, merged_by_name, merged_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())`,
        [mergeId, older.id, newer.id, id, moved.contactIds, moved.shareIds, movedNhsNumber, staff.id, staff.name],
      );
      await this.decide(manager, id, 'linked', staff);
      await this.audit.append(manager, [
        {
          actor: staffActor(staff),
          action: 'child.merged',
          subject: { type: 'child', id: older.id },
          childId: older.id,
          purpose: PURPOSE,
          details: { possibleMatchId: id, mergeId, mergedChildId: newer.id, movedContactIds: moved.contactIds, movedShareIds: moved.shareIds, nhsNumberMoved: movedNhsNumber !== null },
        },
      ]);
      return { mergeId, survivingChildId: older.id, mergedChildId: newer.id, movedContactIds: moved.contactIds, movedShareIds: moved.shareIds, nhsNumberMoved: movedNhsNumber !== null };
    });
  }

  async keepApart(id: string, staff: StaffMember): Promise<PossibleMatchView> {
    return this.dataSource.transaction(async (manager) => {
      const pair = await this.openPair(manager, id);
      const decidedAt = await this.decide(manager, id, 'kept_apart', staff);
      await this.audit.append(manager, [
        {
          actor: staffActor(staff),
          action: 'identity.kept_apart',
          subject: { type: 'possible_match', id },
          childId: pair.child.id,
          purpose: PURPOSE,
          details: { childId: pair.child.id, otherChildId: pair.otherChild.id },
        },
      ]);
      return { ...pair.view, status: 'kept_apart', decidedBy: staff.name, decidedAt: decidedAt.toISOString() };
    });
  }

  /** Undoes the standing merge of this (merged) child: its contacts, shares and NHS number come back. */
  async unmerge(childId: string, staff: StaffMember): Promise<MergeView> {
    return this.dataSource.transaction(async (manager) => {
      const [merged] = (await manager.query(`SELECT ${CHILD_VIEW} FROM child WHERE id = $1`, [childId])) as ChildRow[];
      if (!merged) throw new NotFoundException(`No child with id ${childId}`);
      const [merge] = (await manager.query(
        `SELECT id, surviving_child_id AS "survivingChildId", moved_contact_ids AS "movedContactIds", moved_share_ids AS "movedShareIds", moved_nhs_number AS "movedNhsNumber"
           FROM child_merge WHERE merged_child_id = $1 AND unmerged_at IS NULL FOR UPDATE`,
        [childId],
      )) as Array<{ id: string; survivingChildId: string; movedContactIds: string[]; movedShareIds: string[]; movedNhsNumber: string | null }>;
      if (!merge) throw new ConflictException(`Child ${childId} is not merged into another record: there is nothing to undo.`);
      const [survivor] = (await manager.query(`SELECT ${CHILD_VIEW} FROM child WHERE id = $1`, [merge.survivingChildId])) as ChildRow[];
      await this.lockChildren(manager, [survivor, merged, ...(merge.movedNhsNumber ? [{ ...merged, nhsNumber: merge.movedNhsNumber }] : [])]);
      const moved = await this.move(manager, survivor.id, merged.id, merge.movedContactIds, merge.movedShareIds);
      if (merge.movedNhsNumber) {
        await manager.query(`UPDATE child SET nhs_number = NULL, updated_at = now() WHERE id = $1 AND nhs_number = $2`, [survivor.id, merge.movedNhsNumber]);
        await manager.query(`UPDATE child SET nhs_number = $2, updated_at = now() WHERE id = $1`, [merged.id, merge.movedNhsNumber]);
      }
      await manager.query(`UPDATE child SET merged_into = NULL, updated_at = now() WHERE id = $1`, [merged.id]);
      await manager.query(`UPDATE child_merge SET unmerged_by_id = $2, unmerged_by_name = $3, unmerged_at = now() WHERE id = $1`, [merge.id, staff.id, staff.name]);
      await this.audit.append(manager, [
        {
          actor: staffActor(staff),
          action: 'child.unmerged',
          subject: { type: 'child', id: merged.id },
          childId: merged.id,
          purpose: PURPOSE,
          details: { mergeId: merge.id, survivingChildId: survivor.id, restoredContactIds: moved.contactIds, restoredShareIds: moved.shareIds, nhsNumberRestored: merge.movedNhsNumber !== null },
        },
      ]);
      return {
        mergeId: merge.id,
        survivingChildId: survivor.id,
        mergedChildId: merged.id,
        movedContactIds: moved.contactIds,
        movedShareIds: moved.shareIds,
        nhsNumberMoved: merge.movedNhsNumber !== null,
      };
    });
  }

  /**
   * Moves contacts (with their information requests) and shares from one child to another: all of them (a merge), or the ones listed
   * (an unmerge puts back only what its merge moved, never what arrived for the survivor since).
   */
  private async move(manager: EntityManager, from: string, to: string, contactIds: string[] | null, shareIds: string[] | null) {
    const contacts = (await manager.query(
      `UPDATE contact SET child_id = $2, updated_at = now() WHERE child_id = $1 AND ($3::uuid[] IS NULL OR id = ANY($3::uuid[])) RETURNING id`,
      [from, to, contactIds],
    )) as [Array<{ id: string }>, number];
    const shares = (await manager.query(`UPDATE share SET child_id = $2 WHERE child_id = $1 AND ($3::uuid[] IS NULL OR id = ANY($3::uuid[])) RETURNING id`, [
      from,
      to,
      shareIds,
    ])) as [Array<{ id: string }>, number];
    // A contact's information requests are about its child: they go where the contact goes.
    await manager.query(`UPDATE information_request SET child_id = $2 WHERE contact_id = ANY($1::uuid[])`, [contacts[0].map((row) => row.id), to]);
    return { contactIds: contacts[0].map((row) => row.id).sort(), shareIds: shares[0].map((row) => row.id).sort() };
  }

  /**
   * The locks intake takes for these children (identity first, then contacts, in the same global
   * order), so no notification is matched to, or joins a contact of, a child while it is merged.
   */
  private async lockChildren(manager: EntityManager, children: ChildRow[]) {
    await lockIdentitiesInOrder(
      manager,
      children.flatMap((child) => matchLockKeys(childIdentity(child))),
    );
    await lockAllInOrder(
      manager,
      children.map((child) => `contact-of:${child.id}`),
    );
  }

  private async openPair(manager: EntityManager, id: string) {
    const row = await this.pairRow(manager, id, 'FOR UPDATE');
    if (row.status !== 'open') throw new ConflictException(`Possible match ${id} is already decided (${row.status.replace('_', ' ')}); it cannot be decided again.`);
    const children = await this.children(manager, [row.childId, row.otherChildId]);
    const child = children.get(row.childId)!;
    const otherChild = children.get(row.otherChildId)!;
    const viewOf: PossibleMatchView = {
      id: row.id,
      status: row.status,
      score: row.score,
      reasons: row.reasons,
      foundAt: row.foundAt.toISOString(),
      decidedBy: null,
      decidedAt: null,
      child: view(child),
      otherChild: view(otherChild),
    };
    return { child, otherChild, view: viewOf };
  }

  private async pairRow(manager: EntityManager, id: string, lock: '' | 'FOR UPDATE'): Promise<PairRow> {
    const [row] = (await manager.query(`SELECT ${PAIR_VIEW} FROM possible_match WHERE id = $1 ${lock}`, [id])) as PairRow[];
    if (!row) throw new NotFoundException(`No possible match with id ${id}`);
    return row;
  }

  private async decide(manager: EntityManager, id: string, status: 'linked' | 'kept_apart', staff: StaffMember): Promise<Date> {
    const [[row]] = (await manager.query(
      `UPDATE possible_match SET status = $2, decided_by_id = $3, decided_by_name = $4, decided_at = now() WHERE id = $1 RETURNING decided_at AS "decidedAt"`,
      [id, status, staff.id, staff.name],
    )) as [Array<{ decidedAt: Date }>, number];
    return row.decidedAt;
  }

  private async children(manager: EntityManager, ids: string[]): Promise<Map<string, ChildRow>> {
    const rows = (await manager.query(`SELECT ${CHILD_VIEW} FROM child WHERE id = ANY($1::uuid[])`, [ids])) as ChildRow[];
    return new Map(rows.map((row) => [row.id, row]));
  }
}

function view({ createdAt: _createdAt, ...child }: ChildRow): IdentityChild {
  return child;
}
