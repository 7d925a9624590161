import { Inject, Injectable, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { ContactOutcome, Rag } from '#contracts';
import { DEFAULT_REPEAT_SETTINGS, monthsBefore, repeatFlags, REFERRAL_OUTCOMES, type RepeatSettings } from '#screening';
import { HubConfig } from '../config.js';
import { lockAllInOrder } from '../database/advisory-locks.js';
import { UNFINISHED_CONTACT_SQL } from './contact.entity.js';

const URGENCY_ORDER: Record<Rag, number> = { green: 0, amber: 1, red: 2 };

/** A child named by a notification, to be attached to the child's open contact. */
export interface ContactJoinRequest {
  childId: string;
  notificationId: string;
  /** Where the child stands in the notification's list. */
  childIndex: number;
  senderUrgency: Rag;
}

/** The social worker and team a child is allocated to, in the council's case management system. */
export interface Allocated {
  worker: string;
  team: string;
  caseReference: string;
}

export interface ContactJoin {
  contactId: string;
  created: boolean;
  /** False when this notification was already linked to the contact (the same child listed twice). */
  linked: boolean;
  /** Set when the contact was opened for an allocated child and went to the worker, not the MASH. */
  allocatedTo?: Allocated;
}

interface ContactChange {
  contactId: string;
  childId: string;
  created: boolean;
  /** The notification that opened the contact (when created now): its agency is the referrer. */
  openedBy: string | null;
  added: number;
  senderUrgency: Rag | null;
}

/**
 * Opens contacts and attaches notifications to a child's open contact. A contact opened for a child
 * the case management system says is allocated goes to the worker and team (finished for the MASH);
 * every contact a notice touches gets its repeat flags.
 */
@Injectable()
export class ContactBook {
  private readonly repeats: RepeatSettings;

  constructor(@Optional() @Inject(HubConfig) config?: HubConfig) {
    this.repeats = config
      ? { reReferralMonths: config.RE_REFERRAL_MONTHS, lowLevelCount: config.REPEAT_LOW_LEVEL_COUNT, lowLevelMonths: config.REPEAT_LOW_LEVEL_MONTHS }
      : DEFAULT_REPEAT_SETTINGS;
  }

  /**
   * Attaches each notification to its child's open contact, opening one where the child has none,
   * exactly as if each were joined in turn. The children's contacts are locked first, in one global
   * order; call after every identity lock of the transaction (see identityLockKeys), so no two
   * intakes wait on each other in a circle. Three statements however many joins.
   */
  async joinAll(manager: EntityManager, requests: ContactJoinRequest[], receivedAt: Date): Promise<ContactJoin[]> {
    if (!requests.length) return [];
    const childIds = [...new Set(requests.map((request) => request.childId))];
    await lockAllInOrder(
      manager,
      childIds.map((childId) => `contact-of:${childId}`),
    );
    // The row lock keeps a screener from closing (or otherwise changing) a contact between this read
    // and the link: they wait for intake, or intake sees the contact closed and opens a new one.
    const open = (await manager.query(`SELECT id, child_id AS "childId" FROM contact WHERE child_id = ANY($1::uuid[]) AND ${UNFINISHED_CONTACT_SQL} FOR UPDATE`, [
      childIds,
    ])) as { id: string; childId: string }[];

    const changes = new Map<string, ContactChange>();
    for (const contact of open) changes.set(contact.childId, { contactId: contact.id, childId: contact.childId, created: false, openedBy: null, added: 0, senderUrgency: null });
    const links = new Set<string>();
    const joins = requests.map((request): ContactJoin => {
      let change = changes.get(request.childId);
      const created = !change;
      if (!change) {
        change = { contactId: randomUUID(), childId: request.childId, created: true, openedBy: request.notificationId, added: 0, senderUrgency: null };
        changes.set(request.childId, change);
      }
      const link = `${change.contactId}|${request.notificationId}`;
      if (links.has(link)) return { contactId: change.contactId, created: false, linked: false };
      links.add(link);
      change.added += 1;
      change.senderUrgency = moreUrgent(change.senderUrgency, request.senderUrgency);
      return { contactId: change.contactId, created, linked: true };
    });

    const linked = requests.filter((_, index) => joins[index].linked);
    const opened = [...changes.values()].filter((change) => change.created);
    const allocations = await this.allocationsOf(manager, opened.map((change) => change.childId));
    joins.forEach((join, index) => {
      const allocated = join.created ? allocations.get(requests[index].childId) : undefined;
      if (allocated) join.allocatedTo = allocated;
    });
    const joined = [...changes.values()].filter((change) => !change.created && change.added > 0);
    // Counted in SQL, not read-modify-write, so the count is exact whoever else writes the row.
    // Postgres runs every data-modifying part of a WITH to completion, read or not.
    await manager.query(
      `WITH opened AS (
         INSERT INTO contact (id, child_id, status, rag, sender_urgency, received_at, last_notification_at, notification_count, allocated_worker, allocated_team, finished_at,
                              referring_agency)
         SELECT opened.id, child_id, CASE WHEN worker IS NULL THEN 'awaiting_screening' ELSE 'with_allocated_worker' END, NULL, urgency, $1::timestamptz, $1::timestamptz, added,
                worker, team, CASE WHEN worker IS NULL THEN NULL ELSE $1::timestamptz END, notification.source_agency
           FROM unnest($2::uuid[], $3::uuid[], $4::varchar[], $5::int[], $12::varchar[], $13::varchar[], $14::uuid[]) AS opened(id, child_id, urgency, added, worker, team, opened_by)
           -- Stored earlier in this transaction: the agency whose notification opened the contact referred it.
           LEFT JOIN notification ON notification.id = opened.opened_by),
       counted AS (
         UPDATE contact SET
           notification_count = notification_count + joined.added,
           last_notification_at = GREATEST(last_notification_at, $1),
           sender_urgency = CASE WHEN ${urgencyRank('contact.sender_urgency')} >= ${urgencyRank('joined.urgency')} THEN contact.sender_urgency ELSE joined.urgency END,
           -- Until a screener rates it, the decision is due by the sender's urgency: a more urgent notice brings it forward.
           decision_due_at = CASE WHEN contact.rag IS NULL AND ${urgencyRank('contact.sender_urgency')} < ${urgencyRank('joined.urgency')} THEN NULL ELSE contact.decision_due_at END,
           updated_at = now()
           FROM unnest($6::uuid[], $7::varchar[], $8::int[]) AS joined(id, urgency, added)
          WHERE contact.id = joined.id)
       INSERT INTO contact_notification (contact_id, notification_id, child_index, linked_at)
       SELECT contact_id, notification_id, child_index, $1
         FROM unnest($9::uuid[], $10::uuid[], $11::int[]) AS link(contact_id, notification_id, child_index)`,
      [
        receivedAt,
        opened.map((change) => change.contactId),
        opened.map((change) => change.childId),
        opened.map((change) => change.senderUrgency),
        opened.map((change) => change.added),
        joined.map((change) => change.contactId),
        joined.map((change) => change.senderUrgency),
        joined.map((change) => change.added),
        linked.map((request) => changes.get(request.childId)!.contactId),
        linked.map((request) => request.notificationId),
        linked.map((request) => request.childIndex),
        opened.map((change) => allocations.get(change.childId)?.worker ?? null),
        opened.map((change) => allocations.get(change.childId)?.team ?? null),
        opened.map((change) => change.openedBy),
      ],
    );
    const greenChildren = new Set(linked.filter((request) => request.senderUrgency === 'green').map((request) => request.childId));
    await this.flagRepeats(manager, [...changes.values()].filter((change) => change.added > 0), greenChildren, receivedAt);
    return joins;
  }

  /** The current allocation of each child that has one: by NHS number first, else by name and date of birth. */
  private async allocationsOf(manager: EntityManager, childIds: string[]): Promise<Map<string, Allocated>> {
    if (!childIds.length) return new Map();
    const rows = (await manager.query(
      `SELECT DISTINCT ON (child.id) child.id AS child_id, allocation.worker, allocation.team, allocation.case_reference
         FROM child JOIN allocation ON allocation.ended_at IS NULL
          AND (allocation.nhs_number = child.nhs_number
               OR (allocation.normalised_name = child.normalised_name AND allocation.date_of_birth = child.date_of_birth))
        WHERE child.id = ANY($1::uuid[])
        ORDER BY child.id, (allocation.nhs_number = child.nhs_number) DESC NULLS LAST, allocation.updated_at DESC`,
      [childIds],
    )) as { child_id: string; worker: string; team: string; case_reference: string }[];
    return new Map(rows.map((row) => [row.child_id, { worker: row.worker, team: row.team, caseReference: row.case_reference }]));
  }

  /**
   * Flags each contact a notice touched: a re-referral when an earlier contact of the child was a
   * referral signed off within the window; low-level repeats when enough green notices about the child
   * arrived within theirs. A flag once set stays, so only what can change is read: earlier referrals
   * for contacts opened now, green notices for children that got one now. At most two reads and one
   * write for the whole batch.
   */
  private async flagRepeats(manager: EntityManager, touched: ContactChange[], greenChildren: Set<string>, receivedAt: Date): Promise<void> {
    const opened = touched.filter((change) => change.created).map((change) => change.childId);
    const green = touched.filter((change) => greenChildren.has(change.childId)).map((change) => change.childId);
    const referrals = !opened.length ? [] : ((await manager.query(
      `SELECT contact.child_id, contact.id, decision.outcome, decision.signed_off_at
         FROM contact JOIN contact_decision decision ON decision.contact_id = contact.id AND decision.signed_off_at IS NOT NULL
        WHERE contact.child_id = ANY($1::uuid[]) AND decision.signed_off_at >= $2 AND decision.outcome = ANY($3::varchar[])`,
      [opened, monthsBefore(receivedAt, this.repeats.reReferralMonths), REFERRAL_OUTCOMES],
    )) as { child_id: string; id: string; outcome: ContactOutcome; signed_off_at: Date }[]);
    const notices = !green.length ? [] : ((await manager.query(
      `SELECT contact.child_id, notification.received_at
         FROM contact JOIN contact_notification link ON link.contact_id = contact.id
         JOIN notification ON notification.id = link.notification_id
        WHERE contact.child_id = ANY($1::uuid[]) AND notification.received_at >= $2 AND notification.sender_urgency = 'green'`,
      [green, monthsBefore(receivedAt, this.repeats.lowLevelMonths)],
    )) as { child_id: string; received_at: Date }[]);
    const flagged = touched
      .map((change) => ({
        contactId: change.contactId,
        ...repeatFlags(
          receivedAt,
          referrals.filter((row) => row.child_id === change.childId && row.id !== change.contactId).map((row) => ({ contactId: row.id, outcome: row.outcome, decidedAt: row.signed_off_at })),
          notices.filter((row) => row.child_id === change.childId).map((row) => ({ receivedAt: row.received_at, senderUrgency: 'green' as const })),
          this.repeats,
        ),
      }))
      .filter((flags) => flags.reReferralOf || flags.lowLevelRepeats);
    if (!flagged.length) return;
    await manager.query(
      `UPDATE contact SET re_referral_of = coalesce(contact.re_referral_of, flag.re_referral_of),
                          low_level_repeats = GREATEST(contact.low_level_repeats, flag.low_level_repeats)
         FROM unnest($1::uuid[], $2::uuid[], $3::smallint[]) AS flag(id, re_referral_of, low_level_repeats)
        WHERE contact.id = flag.id`,
      [flagged.map((flags) => flags.contactId), flagged.map((flags) => flags.reReferralOf), flagged.map((flags) => flags.lowLevelRepeats)],
    );
  }
}

function moreUrgent(current: Rag | null, next: Rag): Rag {
  return current !== null && URGENCY_ORDER[current] >= URGENCY_ORDER[next] ? current : next;
}

function urgencyRank(expression: string): string {
  return `CASE ${expression} ${Object.entries(URGENCY_ORDER)
    .map(([rag, rank]) => `WHEN '${rag}' THEN ${rank}`)
    .join(' ')} END`;
}
