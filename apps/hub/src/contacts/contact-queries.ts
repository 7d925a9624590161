import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { staffActor } from '../access/staff-actor.js';
import type { StaffMember } from '../access/staff.js';
import { AuditEvent } from '../audit/audit-event.entity.js';
import { AuditTrail } from '../audit/audit-trail.js';
import { Child } from '../children/child.entity.js';
import { Notification } from '../notifications/notification.entity.js';
import { CaseConsentBook } from '../sharing/case-consent.js';
import { consentView } from '../sharing/contact-sharing.js';
import { informationRequestViews } from '../information-requests/information-requests.js';
import { ContactNotification } from './contact-notification.entity.js';
import { Contact, QUEUE_DEADLINE_SQL, UNFINISHED_CONTACT_SQL, type ContactStatus } from './contact.entity.js';
import { decodeContactCursor, encodeContactCursor, sortOf } from './contact-cursor.js';
import type { ContactOutcome, Rag } from '#contracts';
import type { DecisionView, RagChangeView } from '../screening/screening.dto.js';
import { CONTACT_COUNT_LIMIT, type ContactDetail, type ContactPage, type ContactSummary, type EarlierContact, type ListContactsQuery } from './contact.dto.js';

/**
 * What screeners read: the queue of contacts and one contact in full. Every
 * read is recorded in the audit trail with the contacts and children it
 * showed, in the same transaction, so nothing is shown that is not recorded.
 */
@Injectable()
export class ContactQueries {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
    private readonly consent: CaseConsentBook,
  ) {}

  list(query: ListContactsQuery, viewer: StaffMember): Promise<ContactPage> {
    return this.dataSource.transaction(async (manager) => {
      const page = await this.findPage(manager, query);
      await this.audit.record(manager, {
        actor: staffActor(viewer),
        action: 'contacts.listed',
        purpose: 'screening',
        details: {
          filters: {
            status: query.status ?? null,
            rag: query.rag ?? null,
            repeat: query.repeat ?? null,
            agency: query.agency ?? null,
            sort: page.sort,
            after: query.after ?? null,
            pageSize: query.pageSize,
          },
          total: page.total,
          contactIds: page.items.map((item) => item.id),
          childIds: page.items.map((item) => item.child.id),
        },
      });
      return page;
    });
  }

  get(id: string, viewer: StaffMember): Promise<ContactDetail | null> {
    return this.dataSource.transaction(async (manager) => {
      // Every change to a contact is made under its row lock (ContactLifecycle, intake's join): holding
      // it shared while reading shows the contact as of one moment, never a status from before a change
      // beside a timeline from after it. A writer waits only the few milliseconds of this read.
      await manager.query('SELECT 1 FROM contact WHERE id = $1 FOR SHARE', [id]);
      const contact = await this.findOne(manager, id);
      if (!contact) return null;
      await this.audit.record(manager, {
        actor: staffActor(viewer),
        action: 'contact.viewed',
        subject: { type: 'contact', id },
        childId: contact.child.id,
        purpose: 'screening',
        details: { notificationIds: contact.notifications.map((n) => n.id) },
      });
      return contact;
    });
  }

  /**
   * By deadline, soonest first, by (deadline, id); or newest first, by (received_at, id): from just
   * after the cursor's position, an index range scan in either order, so a deep page costs what the
   * first does, and a contact arriving (or another's deadline moving) meanwhile neither repeats nor
   * hides one; a contact whose own deadline moves is found where it now belongs. The total is counted
   * only up to CONTACT_COUNT_LIMIT, never over the whole table.
   */
  private async findPage(manager: EntityManager, query: ListContactsQuery): Promise<ContactPage> {
    const sort = sortOf(query);
    const filtered = (builder: SelectQueryBuilder<Contact>) => {
      if (query.status === 'open') builder.andWhere(`contact.${UNFINISHED_CONTACT_SQL}`);
      else if (query.status) builder.andWhere('contact.status = :status', { status: query.status });
      if (query.rag === 'unrated') builder.andWhere('contact.rag IS NULL');
      else if (query.rag) builder.andWhere('contact.rag = :rag', { rag: query.rag });
      if (query.repeat === 're_referral') builder.andWhere('contact.re_referral_of IS NOT NULL');
      else if (query.repeat === 'low_level_repeats') builder.andWhere('contact.low_level_repeats IS NOT NULL');
      else if (query.repeat === 'any') builder.andWhere('(contact.re_referral_of IS NOT NULL OR contact.low_level_repeats IS NOT NULL)');
      if (query.agency) builder.andWhere('contact.referring_agency = :agency', { agency: query.agency });
      return builder;
    };
    // The sort key as text to the microsecond, in UTC, for the cursor: a JavaScript Date would lose the microseconds.
    const keyColumn = sort === 'deadline' ? 'contact.decision_due_at' : 'contact.received_at';
    const page = filtered(manager.createQueryBuilder(Contact, 'contact'))
      .innerJoinAndSelect('contact.child', 'child')
      .addSelect(`to_char(${keyColumn} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`, 'sort_key')
      // One more than the page, to know whether there is a next page.
      .limit(query.pageSize + 1);
    if (sort === 'deadline') page.orderBy(QUEUE_DEADLINE_SQL, 'ASC').addOrderBy('contact.id', 'ASC');
    else page.orderBy('contact.received_at', 'DESC').addOrderBy('contact.id', 'DESC');
    const after = query.after ? decodeContactCursor(query.after) : null;
    if (after) {
      // The cursor's key, read back exactly as it was written; a deadline not set sorts last.
      const key = `CAST(:afterKey AS timestamp) AT TIME ZONE 'UTC'`;
      if (sort === 'deadline') page.andWhere(`(${QUEUE_DEADLINE_SQL}, contact.id) > (coalesce(${key}, CAST('infinity' AS timestamptz)), CAST(:afterId AS uuid))`);
      else page.andWhere(`(contact.received_at, contact.id) < (${key}, CAST(:afterId AS uuid))`);
      page.setParameters({ afterKey: after.key, afterId: after.id });
    }
    const { entities: contacts, raw } = await page.getRawAndEntities<{ sort_key: string | null }>();

    const [countSql, countParameters] = filtered(manager.createQueryBuilder(Contact, 'contact').select('1').limit(CONTACT_COUNT_LIMIT + 1)).getQueryAndParameters();
    const [{ counted }] = (await manager.query(`SELECT count(*)::int AS counted FROM (${countSql}) capped`, countParameters)) as { counted: number }[];

    const items = contacts.slice(0, query.pageSize);
    const last = items[items.length - 1];
    return {
      items: items.map((c) => toSummary(c, c.child!)),
      sort,
      pageSize: query.pageSize,
      next: contacts.length > query.pageSize ? encodeContactCursor({ sort, key: raw[items.length - 1].sort_key, id: last.id }) : null,
      total: Math.min(counted, CONTACT_COUNT_LIMIT),
      totalIsExact: counted <= CONTACT_COUNT_LIMIT,
    };
  }

  private async findOne(manager: EntityManager, id: string): Promise<ContactDetail | null> {
    const contact = await manager.findOne(Contact, { where: { id }, relations: { child: true } });
    if (!contact) return null;
    const child = contact.child!;

    const links = await manager
      .createQueryBuilder(ContactNotification, 'link')
      .innerJoinAndSelect('link.notification', 'notification')
      .where('link.contact_id = :id', { id })
      .orderBy('notification.received_at', 'ASC')
      .getMany();

    const notificationIds = links.map((link) => link.notificationId);
    const events = await manager
      .createQueryBuilder(AuditEvent, 'event')
      .where("(event.subject_type = 'contact' AND event.subject_id = :id)", { id })
      .orWhere("(event.subject_type = 'notification' AND event.subject_id = ANY(:notificationIds))", { notificationIds })
      .orWhere("(event.subject_type = 'share' AND event.subject_id IN (SELECT share.id FROM share WHERE share.contact_id = :id))", { id })
      .orWhere("(event.subject_type = 'information_request' AND event.subject_id IN (SELECT r.id FROM information_request r WHERE r.contact_id = :id))", { id })
      .orderBy('event.sequence', 'ASC')
      .getMany();

    return {
      ...toSummary(contact, child),
      child: { ...childSummary(child), nhsNumber: child.nhsNumber },
      notifications: links.map((link) => toLinked(link.notification!, link.childIndex)),
      consent: consentView(await this.consent.history(manager, id)),
      ragHistory: await ragHistory(manager, id),
      decisions: await decisions(manager, id),
      history: await earlierContacts(manager, child.id, id),
      informationRequests: await informationRequestViews(manager, id),
      timeline: events.map((event) => ({
        sequence: event.sequence,
        at: event.occurredAt.toISOString(),
        action: event.action,
        actor: event.actorId,
        onBehalfOf: event.onBehalfOf,
        subjectType: event.subjectType,
        subjectId: event.subjectId,
        details: event.details,
      })),
    };
  }
}

function childSummary(child: Child) {
  return {
    id: child.id,
    givenName: child.givenName,
    familyName: child.familyName,
    dateOfBirth: child.dateOfBirth,
    expectedDateOfDelivery: child.expectedDateOfDelivery,
  };
}

function toSummary(contact: Contact, child: Child): ContactSummary {
  return {
    id: contact.id,
    number: contact.number,
    status: contact.status,
    rag: contact.rag,
    senderUrgency: contact.senderUrgency,
    receivedAt: contact.receivedAt.toISOString(),
    lastNotificationAt: contact.lastNotificationAt.toISOString(),
    notificationCount: contact.notificationCount,
    child: childSummary(child),
    decisionDueAt: contact.decisionDueAt?.toISOString() ?? null,
    decisionEscalatedAt: contact.decisionEscalatedAt?.toISOString() ?? null,
    referringAgency: contact.referringAgency,
    screener: contact.screenerName,
    reReferralOf: contact.reReferralOf,
    lowLevelRepeats: contact.lowLevelRepeats,
    allocatedWorker: contact.allocatedWorker,
    allocatedTeam: contact.allocatedTeam,
  };
}

async function ragHistory(manager: EntityManager, contactId: string): Promise<RagChangeView[]> {
  const rows = (await manager.query(
    `SELECT from_rag, to_rag, reason, changed_by_name, changed_at FROM rag_change WHERE contact_id = $1 ORDER BY changed_at, id`,
    [contactId],
  )) as { from_rag: Rag | null; to_rag: Rag; reason: string; changed_by_name: string; changed_at: Date }[];
  return rows.map((row) => ({ from: row.from_rag, to: row.to_rag, reason: row.reason, changedBy: row.changed_by_name, changedAt: row.changed_at.toISOString() }));
}

async function decisions(manager: EntityManager, contactId: string): Promise<DecisionView[]> {
  const rows = (await manager.query(`SELECT * FROM contact_decision WHERE contact_id = $1 ORDER BY decided_at, id`, [contactId])) as {
    id: string;
    outcome: ContactOutcome;
    primary_need: string;
    level_of_need: number;
    rationale: string;
    decided_by_name: string;
    decided_at: Date;
    signed_off_by_name: string | null;
    signed_off_at: Date | null;
    returned_by_name: string | null;
    returned_at: Date | null;
    return_reason: string | null;
  }[];
  return rows.map((row) => ({
    id: row.id,
    outcome: row.outcome,
    primaryNeed: row.primary_need,
    levelOfNeed: row.level_of_need,
    rationale: row.rationale,
    decidedBy: row.decided_by_name,
    decidedAt: row.decided_at.toISOString(),
    signedOffBy: row.signed_off_by_name,
    signedOffAt: row.signed_off_at?.toISOString() ?? null,
    returnedBy: row.returned_by_name,
    returnedAt: row.returned_at?.toISOString() ?? null,
    returnReason: row.return_reason,
  }));
}

/** The child's other contacts, newest first, with the outcome each was signed off with. */
async function earlierContacts(manager: EntityManager, childId: string, contactId: string): Promise<EarlierContact[]> {
  const rows = (await manager.query(
    `SELECT c.id, c.number::text AS number, c.status, c.received_at, c.notification_count, d.outcome, d.signed_off_at
       FROM contact c LEFT JOIN contact_decision d ON d.contact_id = c.id AND d.signed_off_at IS NOT NULL
      WHERE c.child_id = $1 AND c.id <> $2 ORDER BY c.received_at DESC, c.id DESC LIMIT 100`,
    [childId, contactId],
  )) as { id: string; number: string; status: ContactStatus; received_at: Date; notification_count: number; outcome: ContactOutcome | null; signed_off_at: Date | null }[];
  return rows.map((row) => ({
    id: row.id,
    number: row.number,
    status: row.status,
    receivedAt: row.received_at.toISOString(),
    notificationCount: row.notification_count,
    outcome: row.outcome,
    decidedAt: row.signed_off_at?.toISOString() ?? null,
  }));
}

function toLinked(notification: Notification, childIndex: number) {
  return {
    id: notification.id,
    sourceAgency: notification.sourceAgency,
    sourceOrganisation: notification.sourceOrganisation,
    partnerReference: notification.partnerReference,
    occurredAt: notification.occurredAt?.toISOString() ?? null,
    reportedAt: notification.reportedAt.toISOString(),
    receivedAt: notification.receivedAt.toISOString(),
    senderUrgency: notification.senderUrgency,
    referralSource: notification.referralSource,
    categories: notification.categories,
    childIndex,
    message: notification.message,
  };
}
