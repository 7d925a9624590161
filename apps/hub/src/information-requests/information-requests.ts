import { BadRequestException, ConflictException, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { agencyQueue, MessagePatterns, type Agency, type InformationAnswer, type InformationRequestWithdrawn, type SafeguardingNotification } from '#contracts';
import type { RefusalReason } from '#sharing';
import { staffActor } from '../access/staff-actor.js';
import type { StaffMember } from '../access/staff.js';
import { AuditTrail, type Actor } from '../audit/audit-trail.js';
import { Outbox } from '../outbox/outbox.js';
import { ContactLifecycle, type LockedContact } from '../screening/contact-lifecycle.js';
import { ScreeningDesk } from '../screening/screening-desk.js';
import { CaseConsentBook } from '../sharing/case-consent.js';
import { ShareDesk } from '../sharing/share-desk.js';
import type { InformationRequestInput, InformationRequestsOutcome, InformationRequestView } from './information-request.dto.js';
import type { InformationRequestStatus } from './information-request.entity.js';

/** What became of a partner's answer at the hub. */
export type AnswerOutcome = 'recorded' | 'already_recorded' | 'not_open' | 'unknown';

/**
 * Information requests: the screener asks chosen partner organisations a question about a contact's
 * child. Each request goes through the sharing decision (purpose information_request) to the
 * organisation's inbox, carrying its id as `request.id`, due by the contact's RAG. The contact then
 * awaits the information; when the last open request is answered or withdrawn it awaits a decision.
 * Every change runs under the contact's row lock, with its audit events, in one transaction.
 */
@Injectable()
export class InformationRequests {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly lifecycle: ContactLifecycle,
    private readonly screening: ScreeningDesk,
    private readonly consent: CaseConsentBook,
    private readonly shares: ShareDesk,
    private readonly audit: AuditTrail,
    private readonly outbox: Outbox,
  ) {}

  /**
   * One request per recipient, each decided and recorded; refused ones are kept as refused with the
   * decision's reasons. When every one is refused, nothing went out: 422, with each one's reasons.
   */
  async ask(contactId: string, staff: StaffMember, input: InformationRequestInput): Promise<InformationRequestsOutcome> {
    const question = input.question.trim();
    const named = input.recipients.map((recipient) => `${recipient.agency}:${recipient.organisation}`);
    const repeated = named.flatMap((name, index) => (named.indexOf(name) < index ? [index] : []));
    if (repeated.length) {
      throw new BadRequestException({
        message: 'Validation failed',
        errors: repeated.map((index) => ({ path: `recipients[${index}]`, message: `recipients[${index}] names an organisation already named: ask each organisation once` })),
      });
    }
    const outcome = await this.dataSource.transaction(async (manager) => {
      const contact = await this.lifecycle.lock(manager, contactId);
      // Refused before anything is decided or written.
      this.lifecycle.check(contact, 'request_information');
      if (!contact.rag) throw new ConflictException('Cannot request information: set the RAG first, with its reason; the answer is due by it.');
      const now = new Date();
      const dueAt = this.screening.informationDue(now, contact.rag);
      const child = await this.childFields(manager, contact);
      const consent = await this.consent.standing(manager, contact.id);
      const actor = staffActor(staff);
      const ids: string[] = [];
      for (const [index, recipient] of input.recipients.entries()) {
        const id = randomUUID();
        // Asked in this order: a millisecond apart, so lists show them as asked (ties would fall to random ids).
        const requestedAt = new Date(now.getTime() + index);
        const correlationId = randomUUID();
        const share = await this.shares.decideAndRecord(manager, {
          purpose: 'information_request',
          recipient: { agency: recipient.agency, organisation: recipient.organisation },
          content: {
            owner: 'mash',
            fields: { ...child, 'contact.reference': contact.number, 'request.id': id, 'request.question': question, 'request.dueAt': dueAt.toISOString() },
          },
          consent,
          ownerAgreed: false,
          contactId: contact.id,
          childId: contact.childId,
          requestedBy: actor,
          correlationId,
        });
        const status: InformationRequestStatus = share.decision.outcome === 'allow' ? 'sent' : 'refused';
        await manager.query(
          `INSERT INTO information_request (id, contact_id, child_id, share_id, recipient_agency, recipient_organisation, question, due_at, status,
                                            requested_by_id, requested_by_name, requested_at, correlation_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
          [id, contact.id, contact.childId, share.shareId, recipient.agency, recipient.organisation, question, dueAt, status, staff.id, staff.name, requestedAt, correlationId],
        );
        await this.audit.record(manager, {
          actor,
          action: status === 'sent' ? 'information_request.sent' : 'information_request.refused',
          subject: { type: 'information_request', id },
          childId: contact.childId,
          purpose: 'screening',
          correlationId,
          details: {
            contactId: contact.id,
            shareId: share.shareId,
            recipientAgency: recipient.agency,
            recipientOrganisation: recipient.organisation,
            dueAt: dueAt.toISOString(),
            rag: contact.rag,
            ...(share.decision.outcome === 'refuse' && { reasons: share.decision.reasons.map((reason) => reason.code) }),
          },
        });
        ids.push(id);
      }
      const requests = await informationRequestViews(manager, contact.id, ids);
      const sent = requests.filter((request) => request.status === 'sent').length;
      if (sent) await this.lifecycle.apply(manager, contact, 'request_information', actor, { informationRequestIds: requests.filter((r) => r.status === 'sent').map((r) => r.id) });
      return { sent, refused: requests.length - sent, requests };
    });
    if (!outcome.sent) {
      throw new UnprocessableEntityException({
        statusCode: 422,
        error: 'Information request refused',
        message: `The sharing decision refused every request; nothing was sent. ${outcome.requests
          .map((request) => `${request.recipientAgency} ${request.recipientOrganisation}: ${request.reasons.map((reason) => `${reason.explanation} ${reason.remedy}`).join(' ')}`)
          .join(' ')}`,
        ...outcome,
      });
    }
    this.outbox.notifyCommitted();
    return outcome;
  }

  /** The contact's requests, newest first, with their answers; the read is recorded. */
  list(contactId: string, staff: StaffMember): Promise<InformationRequestView[]> {
    return this.dataSource.transaction(async (manager) => {
      const [contact] = (await manager.query(`SELECT id, child_id FROM contact WHERE id = $1`, [contactId])) as { id: string; child_id: string }[];
      if (!contact) throw new NotFoundException(`No contact with id ${contactId}`);
      const requests = (await informationRequestViews(manager, contact.id)).reverse();
      await this.audit.record(manager, {
        actor: staffActor(staff),
        action: 'information_requests.listed',
        subject: { type: 'contact', id: contact.id },
        childId: contact.child_id,
        purpose: 'screening',
        details: { informationRequestIds: requests.map((request) => request.id) },
      });
      return requests;
    });
  }

  /** Withdraws a request still awaiting its answer; the recipient's adapter stops taking answers to it. */
  async withdraw(requestId: string, staff: StaffMember, reason: string): Promise<InformationRequestView> {
    const view = await this.dataSource.transaction(async (manager) => {
      const [found] = (await manager.query(`SELECT contact_id FROM information_request WHERE id = $1`, [requestId])) as { contact_id: string }[];
      if (!found) throw new NotFoundException(`No information request with id ${requestId}`);
      const contact = await this.lifecycle.lock(manager, found.contact_id);
      const request = await this.lockRequest(manager, requestId);
      if (request.status !== 'sent') throw new ConflictException(`Cannot withdraw the request: it ${CLOSED_WORDS[request.status]}; only a request awaiting its answer can be withdrawn.`);
      const now = new Date();
      await manager.query(
        `UPDATE information_request SET status = 'withdrawn', withdrawn_by_id = $2, withdrawn_by_name = $3, withdrawn_at = $4, withdraw_reason = $5 WHERE id = $1`,
        [request.id, staff.id, staff.name, now, reason.trim()],
      );
      const notice: InformationRequestWithdrawn = {
        requestId: request.id,
        shareId: request.share_id,
        correlationId: request.correlation_id,
        recipientAgency: request.recipient_agency,
        recipientOrganisation: request.recipient_organisation,
        withdrawnAt: now.toISOString(),
      };
      const outboxMessageId = await this.outbox.add(manager, {
        queue: agencyQueue(request.recipient_agency),
        pattern: MessagePatterns.informationRequestWithdrawn,
        payload: notice,
        correlationId: request.correlation_id,
      });
      const actor = staffActor(staff);
      await this.audit.record(manager, {
        actor,
        action: 'information_request.withdrawn',
        subject: { type: 'information_request', id: request.id },
        childId: contact.childId,
        purpose: 'screening',
        correlationId: request.correlation_id,
        details: {
          contactId: contact.id,
          shareId: request.share_id,
          recipientAgency: request.recipient_agency,
          recipientOrganisation: request.recipient_organisation,
          reason: reason.trim(),
          outboxMessageId,
        },
      });
      await this.completeIfLast(manager, contact, actor);
      const [view] = await informationRequestViews(manager, contact.id, [request.id]);
      return view;
    });
    this.outbox.notifyCommitted();
    return view;
  }

  /**
   * Records a partner's answer once, only from the organisation the request went to. An answer to a
   * request that is no longer open (withdrawn meanwhile) is not recorded.
   */
  async answer(message: InformationAnswer): Promise<AnswerOutcome> {
    return this.dataSource.transaction(async (manager) => {
      const [found] = (await manager.query(`SELECT contact_id, recipient_agency, recipient_organisation FROM information_request WHERE id = $1`, [message.requestId])) as {
        contact_id: string;
        recipient_agency: Agency;
        recipient_organisation: string;
      }[];
      // Another organisation's request is as unknown to it as one that does not exist.
      if (!found || found.recipient_agency !== message.adapterAgency || found.recipient_organisation !== message.organisation) return 'unknown';
      const contact = await this.lifecycle.lock(manager, found.contact_id);
      const request = await this.lockRequest(manager, message.requestId);
      if (request.status === 'answered') return 'already_recorded';
      if (request.status !== 'sent') return 'not_open';
      await manager.query(
        `UPDATE information_request SET status = 'answered', answered_at = $2, answer = $3, answer_id = $4, answered_by_credential_id = $5, answered_by_system = $6 WHERE id = $1`,
        [request.id, new Date(message.answeredAt), message.answer, message.answerId, message.credentialId, message.system],
      );
      // Named by its system as well, so the timeline and the audit log say who answered, not only a credential's id.
      const actor: Actor = { type: 'agency_system', id: message.credentialId, onBehalfOf: message.adapterAgency, name: message.system };
      await this.audit.record(manager, {
        actor,
        action: 'information_request.answered',
        subject: { type: 'information_request', id: request.id },
        childId: contact.childId,
        purpose: 'screening',
        correlationId: request.correlation_id,
        // The answer itself is kept with the request, not in the trail.
        details: {
          contactId: contact.id,
          shareId: request.share_id,
          agency: message.adapterAgency,
          organisation: message.organisation,
          credentialId: message.credentialId,
          system: message.system,
          answerId: message.answerId,
          answerLength: message.answer.length,
          answeredAt: message.answeredAt,
          dueAt: request.due_at.toISOString(),
          late: new Date(message.answeredAt) > request.due_at,
        },
      });
      await this.completeIfLast(manager, contact, actor);
      return 'recorded';
    });
  }

  /** When no request of the contact awaits its answer any more, the contact awaits its decision. */
  private async completeIfLast(manager: EntityManager, contact: LockedContact, actor: Actor): Promise<void> {
    if (contact.status !== 'awaiting_information') return;
    const [open] = (await manager.query(`SELECT 1 FROM information_request WHERE contact_id = $1 AND status = 'sent' LIMIT 1`, [contact.id])) as unknown[];
    if (!open) await this.lifecycle.apply(manager, contact, 'information_complete', actor, { reason: 'every information request is answered or withdrawn' });
  }

  private async lockRequest(manager: EntityManager, id: string): Promise<RequestRow> {
    const [row] = (await manager.query(`SELECT * FROM information_request WHERE id = $1 FOR UPDATE`, [id])) as RequestRow[];
    if (!row) throw new NotFoundException(`No information request with id ${id}`);
    return row;
  }

  /** The child's fields as the sharing policy names them: from the child record and the contact's latest notification. */
  private async childFields(manager: EntityManager, contact: LockedContact): Promise<Record<string, unknown>> {
    const [child] = (await manager.query(
      `SELECT given_name, family_name, nhs_number, to_char(date_of_birth, 'YYYY-MM-DD') AS date_of_birth,
              to_char(expected_date_of_delivery, 'YYYY-MM-DD') AS expected_date_of_delivery
         FROM child WHERE id = $1`,
      [contact.childId],
    )) as { given_name: string; family_name: string; nhs_number: string | null; date_of_birth: string | null; expected_date_of_delivery: string | null }[];
    const [latest] = (await manager.query(
      `SELECT n.message, link.child_index FROM contact_notification link JOIN notification n ON n.id = link.notification_id
        WHERE link.contact_id = $1 ORDER BY n.received_at DESC, n.id DESC LIMIT 1`,
      [contact.id],
    )) as { message: SafeguardingNotification; child_index: number }[];
    const subject = latest?.message.subjects.children[latest.child_index];
    return {
      'child.name': { givenName: child.given_name, familyName: child.family_name },
      'child.dateOfBirth': child.date_of_birth,
      'child.expectedDateOfDelivery': child.expected_date_of_delivery,
      'child.nhsNumber': child.nhs_number,
      'child.address': subject?.address,
      'child.schoolUrn': subject?.schoolUrn,
    };
  }
}

/** Every request of the contact (or those named, in that order), oldest first, with answers and refusal reasons. */
export async function informationRequestViews(manager: EntityManager, contactId: string, ids?: string[]): Promise<InformationRequestView[]> {
  const rows = (await manager.query(
    `SELECT r.*, s.reasons FROM information_request r JOIN share s ON s.id = r.share_id
      WHERE r.contact_id = $1 ${ids ? 'AND r.id = ANY($2::uuid[])' : ''} ORDER BY r.requested_at, r.id`,
    ids ? [contactId, ids] : [contactId],
  )) as (RequestRow & { reasons: RefusalReason[] })[];
  const views = rows.map(toView);
  return ids ? ids.flatMap((id) => views.filter((view) => view.id === id)) : views;
}

const CLOSED_WORDS: Record<Exclude<InformationRequestStatus, 'sent'>, string> = {
  refused: 'was refused by the sharing decision and never sent',
  answered: 'is already answered',
  withdrawn: 'is already withdrawn',
};

interface RequestRow {
  id: string;
  contact_id: string;
  share_id: string;
  recipient_agency: Agency;
  recipient_organisation: string;
  question: string;
  due_at: Date;
  status: InformationRequestStatus;
  requested_by_name: string;
  requested_at: Date;
  correlation_id: string;
  answered_at: Date | null;
  answer: string | null;
  answered_by_credential_id: string | null;
  answered_by_system: string | null;
  withdrawn_by_name: string | null;
  withdrawn_at: Date | null;
  withdraw_reason: string | null;
  escalated_at: Date | null;
}

function toView(row: RequestRow & { reasons: RefusalReason[] }): InformationRequestView {
  return {
    id: row.id,
    contactId: row.contact_id,
    shareId: row.share_id,
    recipientAgency: row.recipient_agency,
    recipientOrganisation: row.recipient_organisation,
    question: row.question,
    dueAt: row.due_at.toISOString(),
    status: row.status,
    reasons: row.status === 'refused' ? row.reasons : [],
    requestedBy: row.requested_by_name,
    requestedAt: row.requested_at.toISOString(),
    answer:
      row.status === 'answered'
        ? { text: row.answer!, answeredAt: row.answered_at!.toISOString(), credentialId: row.answered_by_credential_id, system: row.answered_by_system }
        : null,
    withdrawnBy: row.withdrawn_by_name,
    withdrawnAt: row.withdrawn_at?.toISOString() ?? null,
    withdrawReason: row.withdraw_reason,
    escalatedAt: row.escalated_at?.toISOString() ?? null,
  };
}
