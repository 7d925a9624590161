import { ConflictException, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { Rag } from '#contracts';
import { dueAt } from '#screening';
import { staffActor } from '../access/staff-actor.js';
import type { StaffMember } from '../access/staff.js';
import { AuditTrail, contactEvent } from '../audit/audit-trail.js';
import { HubConfig, screeningClock } from '../config.js';
import { Outbox } from '../outbox/outbox.js';
import { ContactSharing } from '../sharing/contact-sharing.js';
import { ContactLifecycle, type LockedContact } from './contact-lifecycle.js';
import type { ContactStateView, DecisionInput } from './screening.dto.js';

/**
 * What screeners and managers do to a contact on its way to a decision: start screening, rate it
 * (with a reason, every time), move it to decision, decide, and (a manager other than the one who
 * decided) sign off or return the decision. Signing off closes the contact and tells the referrers
 * the outcome through the sharing decision, in the same transaction.
 */
@Injectable()
export class ScreeningDesk {
  private readonly schedule: ReturnType<typeof screeningClock>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(HubConfig) config: HubConfig,
    private readonly lifecycle: ContactLifecycle,
    private readonly audit: AuditTrail,
    private readonly sharing: ContactSharing,
    private readonly outbox: Outbox,
  ) {
    this.schedule = screeningClock(config);
  }

  /** When a contact received at `receivedAt` with this RAG must be decided. */
  decisionDue(receivedAt: Date, rag: Rag): Date {
    return dueAt(receivedAt, this.schedule.deadlines[rag].decision, this.schedule.clock);
  }

  /** When a partner asked now about a contact with this RAG must answer. */
  informationDue(requestedAt: Date, rag: Rag): Date {
    return dueAt(requestedAt, this.schedule.deadlines[rag].partnerInformation, this.schedule.clock);
  }

  startScreening(contactId: string, staff: StaffMember): Promise<ContactStateView> {
    return this.act(contactId, async (manager, contact) => {
      await this.lifecycle.apply(manager, contact, 'start_screening', staffActor(staff));
      await manager.query(`UPDATE contact SET screener_id = $2, screener_name = $3 WHERE id = $1`, [contact.id, staff.id, staff.name]);
    });
  }

  /** The first rating and every change, each with its reason; the decision's deadline follows the RAG. */
  setRag(contactId: string, staff: StaffMember, rag: Rag, reason: string): Promise<ContactStateView> {
    return this.act(contactId, async (manager, contact) => {
      if (contact.status === 'awaiting_screening') throw new ConflictException('Cannot set the RAG: start screening the contact first.');
      if (!['in_screening', 'awaiting_information', 'awaiting_decision'].includes(contact.status)) {
        throw new ConflictException(`Cannot set the RAG: the contact is ${contact.status.replaceAll('_', ' ')}.`);
      }
      if (contact.rag === rag) throw new ConflictException(`The RAG is already ${rag}.`);
      const due = this.decisionDue(contact.receivedAt, rag);
      await manager.query(
        `INSERT INTO rag_change (id, contact_id, from_rag, to_rag, reason, changed_by_id, changed_by_name, changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, now())`,
        [randomUUID(), contact.id, contact.rag, rag, reason.trim(), staff.id, staff.name],
      );
      // A new deadline may be breached and escalated again; an unchanged one keeps its escalation.
      await manager.query(
        `UPDATE contact SET rag = $2, decision_due_at = $3,
                decision_escalated_at = CASE WHEN decision_due_at IS DISTINCT FROM $3 THEN NULL ELSE decision_escalated_at END,
                updated_at = now()
          WHERE id = $1`,
        [contact.id, rag, due],
      );
      await this.audit.record(manager, contactEvent(staffActor(staff), 'rag.changed', contact, 'screening', { from: contact.rag, to: rag, reason: reason.trim(), decisionDueAt: due.toISOString() }));
      contact.rag = rag;
      contact.decisionDueAt = due;
    });
  }

  readyForDecision(contactId: string, staff: StaffMember): Promise<ContactStateView> {
    return this.act(contactId, (manager, contact) => this.lifecycle.apply(manager, contact, 'ready_for_decision', staffActor(staff)).then(() => undefined));
  }

  recordDecision(contactId: string, staff: StaffMember, input: DecisionInput): Promise<ContactStateView> {
    return this.act(contactId, async (manager, contact) => {
      this.lifecycle.check(contact, 'record_decision');
      if (!contact.rag) throw new ConflictException('Cannot record a decision: set the RAG first, with its reason.');
      const id = randomUUID();
      await manager.query(
        `INSERT INTO contact_decision (id, contact_id, outcome, primary_need, level_of_need, rationale, decided_by_id, decided_by_name, decided_by_team, decided_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())`,
        [id, contact.id, input.outcome, input.primaryNeed, input.levelOfNeed, input.rationale.trim(), staff.id, staff.name, staff.team ?? null],
      );
      await this.audit.record(manager, contactEvent(staffActor(staff), 'decision.recorded', contact, 'screening', { decisionId: id, outcome: input.outcome, primaryNeed: input.primaryNeed, levelOfNeed: input.levelOfNeed, team: staff.team ?? null }));
      await this.lifecycle.apply(manager, contact, 'record_decision', staffActor(staff), { decisionId: id });
    });
  }

  /** A manager other than the decider signs off: the contact closes and each referrer is told the outcome. */
  async signOff(contactId: string, staff: StaffMember): Promise<ContactStateView> {
    const view = await this.act(contactId, async (manager, contact) => {
      this.lifecycle.check(contact, 'sign_off');
      const decision = await this.currentDecision(manager, contact.id);
      if (decision.decided_by_id === staff.id) {
        throw new ConflictException('Cannot sign off your own decision: another manager must sign it off.');
      }
      await manager.query(`UPDATE contact_decision SET signed_off_by_id = $2, signed_off_by_name = $3, signed_off_at = now() WHERE id = $1`, [
        decision.id,
        staff.id,
        staff.name,
      ]);
      await this.audit.record(manager, contactEvent(staffActor(staff), 'decision.signed_off', contact, 'screening', { decisionId: decision.id, outcome: decision.outcome, decidedBy: decision.decided_by_name }));
      await this.lifecycle.apply(manager, contact, 'sign_off', staffActor(staff), { decisionId: decision.id });
      await this.sharing.feedBackOutcome(manager, contact, decision.outcome, staffActor(staff), new Date());
    });
    this.outbox.notifyCommitted();
    return view;
  }

  returnDecision(contactId: string, staff: StaffMember, reason: string): Promise<ContactStateView> {
    return this.act(contactId, async (manager, contact) => {
      this.lifecycle.check(contact, 'return_for_more');
      const decision = await this.currentDecision(manager, contact.id);
      await manager.query(`UPDATE contact_decision SET returned_by_name = $2, returned_at = now(), return_reason = $3 WHERE id = $1`, [
        decision.id,
        staff.name,
        reason.trim(),
      ]);
      await this.audit.record(manager, contactEvent(staffActor(staff), 'decision.returned', contact, 'screening', { decisionId: decision.id, reason: reason.trim() }));
      await this.lifecycle.apply(manager, contact, 'return_for_more', staffActor(staff), { decisionId: decision.id });
    });
  }

  private async currentDecision(manager: EntityManager, contactId: string) {
    const [decision] = (await manager.query(
      `SELECT id, outcome, decided_by_id, decided_by_name FROM contact_decision WHERE contact_id = $1 AND returned_at IS NULL AND signed_off_at IS NULL`,
      [contactId],
    )) as { id: string; outcome: DecisionInput['outcome']; decided_by_id: string; decided_by_name: string }[];
    // The lifecycle says a decision awaits sign-off, so one exists; if not, the records disagree.
    if (!decision) throw new Error(`contact ${contactId} awaits sign-off but has no decision to sign`);
    return decision;
  }

  private async act(contactId: string, work: (manager: EntityManager, contact: LockedContact) => Promise<void>): Promise<ContactStateView> {
    return this.dataSource.transaction(async (manager) => {
      const contact = await this.lifecycle.lock(manager, contactId);
      await work(manager, contact);
      return { id: contact.id, status: contact.status, rag: contact.rag, decisionDueAt: contact.decisionDueAt?.toISOString() ?? null };
    });
  }
}
