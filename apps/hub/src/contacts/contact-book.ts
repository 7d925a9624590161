import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Rag } from '#contracts';
import { ContactNotification } from './contact-notification.entity.js';
import { Contact } from './contact.entity.js';

const URGENCY_ORDER: Record<Rag, number> = { green: 0, amber: 1, red: 2 };

export function moreUrgent(a: Rag, b: Rag): Rag {
  return URGENCY_ORDER[a] >= URGENCY_ORDER[b] ? a : b;
}

export interface ContactJoin {
  contact: Contact;
  created: boolean;
  /** False when this notification was already linked to the contact (the same child listed twice). */
  linked: boolean;
}

/** Opens contacts and attaches notifications to a child's open contact. */
@Injectable()
export class ContactBook {
  async join(
    manager: EntityManager,
    childId: string,
    notification: { id: string; senderUrgency: Rag; receivedAt: Date },
    childIndex: number,
  ): Promise<ContactJoin> {
    // One open contact per child: intake for the same child queues here.
    await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`contact-of:${childId}`]);
    const open = await manager
      .createQueryBuilder(Contact, 'contact')
      .where('contact.child_id = :childId', { childId })
      .andWhere("contact.status <> 'closed'")
      .getOne();

    const contact =
      open ??
      manager.create(Contact, {
        id: randomUUID(),
        childId,
        status: 'awaiting_screening',
        rag: null,
        senderUrgency: notification.senderUrgency,
        receivedAt: notification.receivedAt,
        lastNotificationAt: notification.receivedAt,
        notificationCount: 0,
      });
    if (!open) await manager.insert(Contact, contact);

    const link = await manager
      .createQueryBuilder()
      .insert()
      .into(ContactNotification)
      .values({ contactId: contact.id, notificationId: notification.id, childIndex, linkedAt: notification.receivedAt })
      .orIgnore()
      .returning('contact_id')
      .execute();
    const linked = (link.raw as unknown[]).length > 0;

    if (linked) {
      contact.notificationCount += 1;
      contact.lastNotificationAt = notification.receivedAt;
      contact.senderUrgency = moreUrgent(contact.senderUrgency, notification.senderUrgency);
      await manager.update(
        Contact,
        { id: contact.id },
        {
          notificationCount: contact.notificationCount,
          lastNotificationAt: contact.lastNotificationAt,
          senderUrgency: contact.senderUrgency,
        },
      );
    }
    return { contact, created: !open, linked };
  }
}
