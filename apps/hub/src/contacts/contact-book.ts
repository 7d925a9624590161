import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Rag } from '#contracts';
import { lockAllInOrder } from '../database/advisory-locks.js';

const URGENCY_ORDER: Record<Rag, number> = { green: 0, amber: 1, red: 2 };

export interface ContactJoin {
  contactId: string;
  created: boolean;
  /** False when this notification was already linked to the contact (the same child listed twice). */
  linked: boolean;
}

/** Opens contacts and attaches notifications to a child's open contact. */
@Injectable()
export class ContactBook {
  /**
   * One open contact per child: intake for the same child queues here. Lock
   * every child of a notification in one call, after all their identities
   * (see identityLockKeys), so no two intakes wait on each other
   * in a circle.
   */
  lockContactsOf(manager: EntityManager, childIds: string[]): Promise<void> {
    return lockAllInOrder(
      manager,
      childIds.map((childId) => `contact-of:${childId}`),
    );
  }

  /** Call with the child's contact locked (lockContactsOf) in the same transaction. */
  async join(
    manager: EntityManager,
    childId: string,
    notification: { id: string; senderUrgency: Rag; receivedAt: Date },
    childIndex: number,
  ): Promise<ContactJoin> {
    // The row lock keeps a screener from closing (or otherwise changing) the contact between
    // this read and the link: they wait for intake, or intake sees the contact closed.
    const [open] = (await manager.query(`SELECT id FROM contact WHERE child_id = $1 AND status <> 'closed' FOR UPDATE`, [childId])) as {
      id: string;
    }[];

    if (!open) {
      const contactId = randomUUID();
      await manager.query(
        `WITH opened AS (
           INSERT INTO contact (id, child_id, status, rag, sender_urgency, received_at, last_notification_at, notification_count)
           VALUES ($1, $2, 'awaiting_screening', NULL, $3, $4, $4, 1) RETURNING id)
         INSERT INTO contact_notification (contact_id, notification_id, child_index, linked_at)
         SELECT id, $5, $6, $4 FROM opened`,
        [contactId, childId, notification.senderUrgency, notification.receivedAt, notification.id, childIndex],
      );
      return { contactId, created: true, linked: true };
    }

    // Counted in SQL, not read-modify-write, so the count is exact whoever else writes the row.
    const [{ linked }] = (await manager.query(
      `WITH link AS (
         INSERT INTO contact_notification (contact_id, notification_id, child_index, linked_at)
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING contact_id),
       counted AS (
         UPDATE contact SET
           notification_count = notification_count + 1,
           last_notification_at = GREATEST(last_notification_at, $4),
           sender_urgency = CASE WHEN ${urgencyRank('sender_urgency')} >= ${urgencyRank('$5::varchar')} THEN sender_urgency ELSE $5::varchar END,
           updated_at = now()
         WHERE id IN (SELECT contact_id FROM link)
         RETURNING id)
       SELECT count(*) > 0 AS linked FROM counted`,
      [open.id, notification.id, childIndex, notification.receivedAt, notification.senderUrgency],
    )) as { linked: boolean }[];
    return { contactId: open.id, created: false, linked };
  }
}

function urgencyRank(expression: string): string {
  return `CASE ${expression} ${Object.entries(URGENCY_ORDER)
    .map(([rag, rank]) => `WHEN '${rag}' THEN ${rank}`)
    .join(' ')} END`;
}
