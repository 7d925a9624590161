import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import {
  MessagePatterns,
  agencyQueue,
  type LawfulBasis,
  type NotificationAccepted,
  type SafeguardingNotification,
} from '#contracts';
import { PermanentMessageError } from '#queue-transport';
import { AuditTrail, hubActing, type Actor, type AuditRecord } from '../audit/audit-trail.js';
import { ChildRegister, identify, identityLockKeys, type ChildMatch } from '../children/child-register.js';
import { ContactBook } from '../contacts/contact-book.js';
import { lockAllInOrderQuery } from '../database/advisory-locks.js';
import { Outbox } from '../outbox/outbox.js';
import { Notification } from './notification.entity.js';

export type IntakeOutcome =
  | { duplicate: true; notificationId: string }
  | { duplicate: false; notificationId: string; contactIds: string[] };

export function describeLawfulBasis(basis: LawfulBasis): string {
  return [`article6:${basis.article6}`, basis.article9 && `article9:${basis.article9}`, ...basis.statutoryGateways]
    .filter(Boolean)
    .join('; ');
}

/**
 * A copy of a stored notification is a harmless redelivery only if it says the same. One with the
 * same id (or the same agency, organisation and reference) but different content would otherwise be
 * dropped unseen: it is refused for good, so it is dead-lettered where operators see it. The
 * correlation id and the submitting system describe the submission, not the notification, so a
 * resend of the same content through another credential is still a redelivery.
 */
async function assertSameNotification(manager: EntityManager, message: SafeguardingNotification): Promise<void> {
  const rows: Array<{ id: string; same: boolean }> = await manager.query(
    `SELECT id, ("message" - 'correlationId' - 'submittedBy') = ($5::jsonb - 'correlationId' - 'submittedBy') AS same
       FROM "notification"
      WHERE id = $1 OR (source_agency = $2 AND source_organisation = $3 AND partner_reference = $4)`,
    [message.notificationId, message.sourceAgency, message.sourceOrganisation, message.partnerReference, JSON.stringify(message)],
  );
  const conflicting = rows.find((row) => row.id !== message.notificationId || !row.same);
  if (conflicting) {
    throw new PermanentMessageError(
      `notification ${message.notificationId} (${message.sourceAgency} ${message.sourceOrganisation} reference ${message.partnerReference}) ` +
        `differs from the notification ${conflicting.id} already stored under that ${conflicting.id === message.notificationId ? 'id' : 'reference'}; ` +
        'it was not stored. The sender must send a change under a new reference.',
    );
  }
}

/**
 * Takes a validated notification into the hub: stores it, matches each child,
 * opens or joins the child's contact, records all of it in the audit trail and
 * queues the acknowledgement to the sender, in one transaction. A second copy
 * of the same notification changes nothing.
 */
@Injectable()
export class NotificationIntake {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly children: ChildRegister,
    private readonly contacts: ContactBook,
    private readonly audit: AuditTrail,
    private readonly outbox: Outbox,
  ) {}

  async receive(message: SafeguardingNotification): Promise<IntakeOutcome> {
    const outcome = await this.dataSource.transaction(async (manager) => {
      const receivedAt = new Date();
      const [storeNotification, storeParameters] = manager
        .createQueryBuilder()
        .insert()
        .into(Notification)
        .values({
          id: message.notificationId,
          sourceAgency: message.sourceAgency,
          sourceOrganisation: message.sourceOrganisation,
          partnerReference: message.partnerReference,
          correlationId: message.correlationId,
          schemaVersion: message.schemaVersion,
          occurredAt: message.occurredAt ? new Date(message.occurredAt) : null,
          reportedAt: new Date(message.reportedAt),
          receivedAt,
          senderUrgency: message.senderUrgency,
          categories: message.categories,
          message,
        })
        .orIgnore()
        .returning('id')
        .getQueryAndParameters();
      // Every lock this notification needs, in one global order: all the children's identities
      // now, then all their contacts once matched. Taking them child by child deadlocked notices
      // naming the same children in another order. The identities are locked in the statement
      // that stores the notification (one round trip fewer), and only if it was new.
      const subjects = message.subjects.children;
      const identities = subjects.map(identify);
      const [{ stored }] = (await manager.query(
        `WITH stored AS (${storeNotification}),
              locked AS (${lockAllInOrderQuery(`$${storeParameters.length + 1}`)} WHERE EXISTS (SELECT 1 FROM stored))
         SELECT (SELECT count(*) FROM stored)::int AS stored, (SELECT count(*) FROM locked)::int AS locked`,
        [...storeParameters, identityLockKeys(identities)],
      )) as { stored: number; locked: number }[];
      if (stored === 0) {
        await assertSameNotification(manager, message);
        return { duplicate: true, notificationId: message.notificationId } as const;
      }

      // The adapter is the system the hub can vouch for (its queue says so); the partner system it
      // authenticated is named in the details, as submittedBy.
      const sender: Actor = {
        type: 'agency_system',
        id: `${message.sourceAgency}-adapter`,
        onBehalfOf: message.sourceAgency,
      };
      const common = { correlationId: message.correlationId, purpose: 'safeguarding notification' };
      // Appended together at the end: the chain head stays locked only for the last moment of the transaction.
      const events: AuditRecord[] = [];
      events.push({
        ...common,
        actor: sender,
        action: 'notification.received',
        subject: { type: 'notification', id: message.notificationId },
        lawfulBasis: describeLawfulBasis(message.lawfulBasis),
        details: {
          sourceAgency: message.sourceAgency,
          sourceOrganisation: message.sourceOrganisation,
          partnerReference: message.partnerReference,
          schemaVersion: message.schemaVersion,
          children: message.subjects.children.length,
          categories: message.categories,
          consent: message.consent.status,
          submittedBy: message.submittedBy ? { credentialId: message.submittedBy.credentialId, system: message.submittedBy.system } : null,
        },
      });

      // The sender's consent decision, with its reasons, as a fact of its own.
      events.push({
        ...common,
        actor: sender,
        action: 'consent.recorded',
        subject: { type: 'notification', id: message.notificationId },
        details: {
          decidedBy: message.sourceAgency,
          status: message.consent.status,
          givenBy: message.consent.givenBy ?? null,
          notSoughtReason: message.consent.notSoughtReason ?? null,
        },
      });

      const matches: ChildMatch[] = [];
      for (const [index, subject] of subjects.entries()) {
        matches.push(await this.children.findOrCreate(manager, subject, identities[index]));
      }
      await this.contacts.lockContactsOf(
        manager,
        matches.map((match) => match.child.id),
      );

      const contactIds: string[] = [];
      const hub = hubActing(message.sourceAgency);
      for (const [index, match] of matches.entries()) {
        events.push({
          ...common,
          actor: hub,
          action: match.created ? 'child.created' : 'child.matched',
          subject: { type: 'child', id: match.child.id },
          childId: match.child.id,
          details: {
            notificationId: message.notificationId,
            childIndex: index,
            matchedBy: match.matchedBy,
            nhsNumberAdded: match.nhsNumberAdded,
          },
        });

        const join = await this.contacts.join(
          manager,
          match.child.id,
          { id: message.notificationId, senderUrgency: message.senderUrgency, receivedAt },
          index,
        );
        if (!join.linked) continue;
        contactIds.push(join.contactId);
        events.push({
          ...common,
          actor: hub,
          action: join.created ? 'contact.created' : 'contact.linked',
          subject: { type: 'contact', id: join.contactId },
          childId: match.child.id,
          details: { notificationId: message.notificationId, childIndex: index },
        });
      }

      const accepted: NotificationAccepted = {
        notificationId: message.notificationId,
        correlationId: message.correlationId,
        sourceAgency: message.sourceAgency,
        sourceOrganisation: message.sourceOrganisation,
        partnerReference: message.partnerReference,
        contactIds,
        acceptedAt: receivedAt.toISOString(),
      };
      const outboxId = await this.outbox.add(manager, {
        queue: agencyQueue(message.sourceAgency),
        pattern: MessagePatterns.notificationAccepted,
        payload: accepted,
        correlationId: message.correlationId,
      });
      // Telling the sender which contacts its notice joined is a share too: ids only, back to their owner.
      events.push({
        ...common,
        actor: hub,
        action: 'information.shared',
        subject: { type: 'outbox_message', id: outboxId },
        purpose: 'feedback to the referrer',
        lawfulBasis: describeLawfulBasis(message.lawfulBasis),
        details: { recipient: message.sourceAgency, message: MessagePatterns.notificationAccepted, notificationId: message.notificationId, contactIds },
      });
      await this.audit.append(manager, events);
      return { duplicate: false, notificationId: message.notificationId, contactIds } as const;
    });
    if (!outcome.duplicate) this.outbox.notifyCommitted();
    return outcome;
  }
}
