import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
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
import { isOperationEncompass } from '#sharing';
import { AuditTrail, hubActing, type Actor, type AuditRecord } from '../audit/audit-trail.js';
import { ChildRegister, identify, identityLockKeys, type ChildMatch } from '../children/child-register.js';
import { ContactBook, type ContactJoin } from '../contacts/contact-book.js';
import { lockIdentitiesInOrderQuery } from '../database/advisory-locks.js';
import { Outbox } from '../outbox/outbox.js';

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
 * Takes validated notifications into the hub: stores each, matches each child,
 * opens or joins the child's contact, records all of it in the audit trail and
 * queues the acknowledgement to the sender, in one transaction. A second copy
 * of a notification changes nothing.
 *
 * Several notifications can go in one transaction (see IntakeBatches), each
 * step one statement for all of them, so the cost of a commit, of the audit
 * chain's head and of each round trip is shared. The outcome is what taking
 * them one after another would give.
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
    const [outcome] = await this.receiveAll([message]);
    return outcome;
  }

  /** One outcome per message, in order. The messages must have distinct notification ids. */
  async receiveAll(messages: SafeguardingNotification[]): Promise<IntakeOutcome[]> {
    if (new Set(messages.map((message) => message.notificationId)).size !== messages.length) {
      throw new Error('one intake transaction cannot take the same notification twice');
    }
    const outcomes = await this.dataSource.transaction(async (manager) => {
      const receivedAt = new Date();
      const stored = await this.store(manager, messages, receivedAt);
      for (const message of messages) if (!stored.has(message.notificationId)) await assertSameNotification(manager, message);
      const fresh = messages.filter((message) => stored.has(message.notificationId));
      if (!fresh.length) return messages.map((message) => ({ duplicate: true, notificationId: message.notificationId }) as const);

      // Every child of every notification, in order: matched as if one after another.
      const named = fresh.flatMap((message, notice) =>
        message.subjects.children.map((subject, childIndex) => ({ notice, childIndex, subject, identity: identify(subject), notificationId: message.notificationId })),
      );
      const matches = await this.children.matchAll(manager, named);
      const joins = await this.contacts.joinAll(
        manager,
        named.map((child, index) => ({
          childId: matches[index].child.id,
          notificationId: fresh[child.notice].notificationId,
          childIndex: child.childIndex,
          senderUrgency: fresh[child.notice].senderUrgency,
        })),
        receivedAt,
      );
      const contactIds = fresh.map((_, notice) => named.flatMap((child, index) => (child.notice === notice && joins[index].linked ? [joins[index].contactId] : [])));
      await this.recordEncompassShares(
        manager,
        named.flatMap((child, index) =>
          joins[index].linked && isOperationEncompass(fresh[child.notice])
            ? [{ message: fresh[child.notice], childIndex: child.childIndex, childId: matches[index].child.id, contactId: joins[index].contactId }]
            : [],
        ),
        receivedAt,
      );
      const outboxIds = await this.outbox.addAll(
        manager,
        fresh.map((message, notice) => ({
          queue: agencyQueue(message.sourceAgency),
          pattern: MessagePatterns.notificationAccepted,
          payload: acceptance(message, contactIds[notice], receivedAt),
          correlationId: message.correlationId,
        })),
      );

      // Appended together at the end: the chain head stays locked only for the last moment of the transaction.
      await this.audit.append(
        manager,
        fresh.flatMap((message, notice) =>
          intakeEvents(
            message,
            named.flatMap((child, index) => (child.notice === notice ? [{ childIndex: child.childIndex, match: matches[index], join: joins[index] }] : [])),
            outboxIds[notice],
            contactIds[notice],
          ),
        ),
      );
      return messages.map((message): IntakeOutcome => {
        const notice = fresh.indexOf(message);
        return notice < 0
          ? { duplicate: true, notificationId: message.notificationId }
          : { duplicate: false, notificationId: message.notificationId, contactIds: contactIds[notice] };
      });
    });
    if (outcomes.some((outcome) => !outcome.duplicate)) this.outbox.notifyCommitted();
    return outcomes;
  }

  /**
   * An Operation Encompass notice goes to each linked child's school without anyone asking: a pending
   * share per child, written with the notice so it exists exactly once (the Encompass dispatcher finds
   * the school and decides it). One statement, and none when nothing in the batch qualifies.
   */
  private async recordEncompassShares(
    manager: EntityManager,
    children: Array<{ message: SafeguardingNotification; childIndex: number; childId: string; contactId: string }>,
    receivedAt: Date,
  ): Promise<void> {
    if (!children.length) return;
    const hub = hubActing('police');
    await manager.query(
      `INSERT INTO share (id, purpose, decision, reasons, recipient_agency, recipient_organisation, contact_id, child_id, notification_id, child_index,
                          correlation_id, requested_by_type, requested_by_id, requested_by_name, created_at)
       SELECT id, 'operation_encompass', 'pending', '[]'::jsonb, 'education', NULL, contact_id, child_id, notification_id, child_index,
              correlation_id, 'hub', $2, $2, $3
         FROM jsonb_to_recordset($1::jsonb) AS pending(id uuid, contact_id uuid, child_id uuid, notification_id uuid, child_index smallint, correlation_id uuid)`,
      [
        JSON.stringify(
          children.map((child) => ({
            id: randomUUID(),
            contact_id: child.contactId,
            child_id: child.childId,
            notification_id: child.message.notificationId,
            child_index: child.childIndex,
            correlation_id: child.message.correlationId,
          })),
        ),
        hub.id,
        receivedAt.toISOString(),
      ],
    );
  }

  /**
   * Inserts the notifications that are new and, in the same statement, locks every identity their
   * children have, in one global order: taking locks notice by notice or child by child deadlocked
   * notices naming the same children in another order. Contacts are locked after, in the same order
   * (ContactBook.joinAll). Returns the ids it stored.
   */
  private async store(manager: EntityManager, messages: SafeguardingNotification[], receivedAt: Date): Promise<Set<string>> {
    const rows = messages.map((message) => ({
      id: message.notificationId,
      source_agency: message.sourceAgency,
      source_organisation: message.sourceOrganisation,
      partner_reference: message.partnerReference,
      correlation_id: message.correlationId,
      schema_version: message.schemaVersion,
      occurred_at: message.occurredAt ?? null,
      reported_at: message.reportedAt,
      received_at: receivedAt.toISOString(),
      sender_urgency: message.senderUrgency,
      referral_source: message.referralSource,
      categories: message.categories,
      message,
    }));
    const locks = messages.flatMap((message) =>
      identityLockKeys(message.subjects.children.map(identify)).map((key) => ({ key, notificationId: message.notificationId })),
    );
    const columns = Object.keys(rows[0]).join(', ');
    const ids = (await manager.query(
      `WITH stored AS (
         INSERT INTO notification (${columns})
         SELECT ${columns} FROM jsonb_populate_recordset(NULL::notification, $1::jsonb)
         ON CONFLICT DO NOTHING
         RETURNING id),
       keys AS (
         SELECT key FROM unnest($2::text[], $3::uuid[]) AS lock(key, notification_id) WHERE notification_id IN (SELECT id FROM stored)),
       locked AS (${lockIdentitiesInOrderQuery('(SELECT array_agg(key) FROM keys)')})
       SELECT id FROM stored WHERE (SELECT count(*) FROM locked) >= 0`,
      [JSON.stringify(rows), locks.map((lock) => lock.key), locks.map((lock) => lock.notificationId)],
    )) as { id: string }[];
    return new Set(ids.map((row) => row.id));
  }
}

function acceptance(message: SafeguardingNotification, contactIds: string[], receivedAt: Date): NotificationAccepted {
  return {
    notificationId: message.notificationId,
    correlationId: message.correlationId,
    sourceAgency: message.sourceAgency,
    sourceOrganisation: message.sourceOrganisation,
    partnerReference: message.partnerReference,
    contactIds,
    acceptedAt: receivedAt.toISOString(),
  };
}

/** What the trail records of one notification taken in, in the order it happened. */
function intakeEvents(
  message: SafeguardingNotification,
  children: Array<{ childIndex: number; match: ChildMatch; join: ContactJoin }>,
  outboxId: string,
  contactIds: string[],
): AuditRecord[] {
  // The adapter is the system the hub can vouch for (its queue says so); the partner system it
  // authenticated is named in the details, as submittedBy.
  const sender: Actor = { type: 'agency_system', id: `${message.sourceAgency}-adapter`, onBehalfOf: message.sourceAgency };
  const hub = hubActing(message.sourceAgency);
  const common = { correlationId: message.correlationId, purpose: 'safeguarding notification' };
  const events: AuditRecord[] = [
    {
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
        referralSource: message.referralSource,
        children: message.subjects.children.length,
        categories: message.categories,
        consent: message.consent.status,
        submittedBy: message.submittedBy ? { credentialId: message.submittedBy.credentialId, system: message.submittedBy.system } : null,
      },
    },
    // The sender's consent decision, with its reasons, as a fact of its own.
    {
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
    },
  ];
  for (const { childIndex, match, join } of children) {
    events.push({
      ...common,
      actor: hub,
      action: match.created ? 'child.created' : 'child.matched',
      subject: { type: 'child', id: match.child.id },
      childId: match.child.id,
      details: {
        notificationId: message.notificationId,
        childIndex,
        matchedBy: match.matchedBy,
        nhsNumberAdded: match.nhsNumberAdded,
        // Why a match on the score was certain, as a screener would read it.
        ...(match.matchedBy === 'likely_identity' && match.score ? { score: match.score.score, reasons: match.score.reasons } : {}),
      },
    });
    // A new child who may be one already known: on the review list, for a screener to decide.
    for (const possible of match.possibleMatches) {
      events.push({
        ...common,
        actor: hub,
        action: 'identity.possible_match',
        subject: { type: 'possible_match', id: possible.id },
        childId: match.child.id,
        details: { notificationId: message.notificationId, childIndex, otherChildId: possible.otherChildId, score: possible.score, reasons: possible.reasons },
      });
    }
    if (!join.linked) continue;
    events.push({
      ...common,
      actor: hub,
      action: join.created ? 'contact.created' : 'contact.linked',
      subject: { type: 'contact', id: join.contactId },
      childId: match.child.id,
      details: { notificationId: message.notificationId, childIndex },
    });
    // The child is allocated: the contact went to the worker and team, not the MASH queue.
    if (join.allocatedTo) {
      events.push({
        ...common,
        actor: hub,
        action: 'contact.routed',
        subject: { type: 'contact', id: join.contactId },
        childId: match.child.id,
        purpose: 'open case check',
        details: { notificationId: message.notificationId, worker: join.allocatedTo.worker, team: join.allocatedTo.team, caseReference: join.allocatedTo.caseReference },
      });
    }
  }
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
  return events;
}
