import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Rag } from '#contracts';
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

export interface ContactJoin {
  contactId: string;
  created: boolean;
  /** False when this notification was already linked to the contact (the same child listed twice). */
  linked: boolean;
}

interface ContactChange {
  contactId: string;
  childId: string;
  created: boolean;
  added: number;
  senderUrgency: Rag | null;
}

/** Opens contacts and attaches notifications to a child's open contact. */
@Injectable()
export class ContactBook {
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
    for (const contact of open) changes.set(contact.childId, { contactId: contact.id, childId: contact.childId, created: false, added: 0, senderUrgency: null });
    const links = new Set<string>();
    const joins = requests.map((request): ContactJoin => {
      let change = changes.get(request.childId);
      const created = !change;
      if (!change) {
        change = { contactId: randomUUID(), childId: request.childId, created: true, added: 0, senderUrgency: null };
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
    const joined = [...changes.values()].filter((change) => !change.created && change.added > 0);
    // Counted in SQL, not read-modify-write, so the count is exact whoever else writes the row.
    // Postgres runs every data-modifying part of a WITH to completion, read or not.
    await manager.query(
      `WITH opened AS (
         INSERT INTO contact (id, child_id, status, rag, sender_urgency, received_at, last_notification_at, notification_count)
         SELECT id, child_id, 'awaiting_screening', NULL, urgency, $1::timestamptz, $1::timestamptz, added
           FROM unnest($2::uuid[], $3::uuid[], $4::varchar[], $5::int[]) AS opened(id, child_id, urgency, added)),
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
      ],
    );
    return joins;
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
