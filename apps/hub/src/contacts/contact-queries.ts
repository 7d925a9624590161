import { BadRequestException, Injectable } from '@nestjs/common';
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
import { ContactNotification } from './contact-notification.entity.js';
import { Contact } from './contact.entity.js';
import { CONTACT_COUNT_LIMIT, type ContactDetail, type ContactPage, type ContactSummary, type ListContactsQuery } from './contact.dto.js';

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
          filters: { status: query.status ?? null, rag: query.rag ?? null, after: query.after ?? null, pageSize: query.pageSize },
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
   * Newest first, by (received_at, id), from just after the `after` contact:
   * an index range scan, so a deep page costs what the first does, and a
   * contact arriving meanwhile neither repeats nor hides one. The total is
   * counted only up to CONTACT_COUNT_LIMIT, never over the whole table.
   */
  private async findPage(manager: EntityManager, query: ListContactsQuery): Promise<ContactPage> {
    const filtered = (builder: SelectQueryBuilder<Contact>) => {
      if (query.status === 'open') builder.andWhere("contact.status <> 'closed'");
      else if (query.status) builder.andWhere('contact.status = :status', { status: query.status });
      if (query.rag === 'unrated') builder.andWhere('contact.rag IS NULL');
      else if (query.rag) builder.andWhere('contact.rag = :rag', { rag: query.rag });
      return builder;
    };
    const page = filtered(manager.createQueryBuilder(Contact, 'contact'))
      .innerJoinAndSelect('contact.child', 'child')
      .orderBy('contact.received_at', 'DESC')
      .addOrderBy('contact.id', 'DESC')
      // One more than the page, to know whether there is a next page.
      .limit(query.pageSize + 1);
    if (query.after) {
      const known = (await manager.query('SELECT 1 FROM contact WHERE id = $1', [query.after])) as unknown[];
      if (!known.length) throw new BadRequestException(`after must be the previous page's next: there is no contact ${query.after}`);
      // Compared in SQL, so the timestamp keeps its full precision.
      page.andWhere('(contact.received_at, contact.id) < (SELECT after.received_at, after.id FROM contact after WHERE after.id = :after)', {
        after: query.after,
      });
    }
    const contacts = await page.getMany();

    const [countSql, countParameters] = filtered(manager.createQueryBuilder(Contact, 'contact').select('1').limit(CONTACT_COUNT_LIMIT + 1)).getQueryAndParameters();
    const [{ counted }] = (await manager.query(`SELECT count(*)::int AS counted FROM (${countSql}) capped`, countParameters)) as { counted: number }[];

    const items = contacts.slice(0, query.pageSize);
    return {
      items: items.map((c) => toSummary(c, c.child!)),
      pageSize: query.pageSize,
      next: contacts.length > query.pageSize ? items[items.length - 1].id : null,
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
      .orderBy('event.sequence', 'ASC')
      .getMany();

    return {
      ...toSummary(contact, child),
      child: { ...childSummary(child), nhsNumber: child.nhsNumber },
      notifications: links.map((link) => toLinked(link.notification!, link.childIndex)),
      consent: consentView(await this.consent.history(manager, id)),
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
  };
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
