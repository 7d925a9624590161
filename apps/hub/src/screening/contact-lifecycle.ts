import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Rag } from '#contracts';
import { transition, type ContactAct, type ContactState } from '#screening';
import { AuditTrail, type Actor } from '../audit/audit-trail.js';

/** A contact as the lifecycle holds it: locked for the rest of the transaction. */
export interface LockedContact {
  id: string;
  number: string;
  childId: string;
  status: ContactState;
  rag: Rag | null;
  senderUrgency: Rag;
  receivedAt: Date;
  decisionDueAt: Date | null;
  screenerId: string | null;
}

/**
 * The one place a contact changes state: under its row lock, only by an act the lifecycle allows from
 * the state it is in (refused with 409 and a message otherwise), recorded in the audit trail in the
 * same transaction.
 */
@Injectable()
export class ContactLifecycle {
  constructor(private readonly audit: AuditTrail) {}

  async lock(manager: EntityManager, contactId: string): Promise<LockedContact> {
    const [row] = (await manager.query(
      `SELECT id, number::text AS number, child_id, status, rag, sender_urgency, received_at, decision_due_at, screener_id
         FROM contact WHERE id = $1 FOR UPDATE`,
      [contactId],
    )) as {
      id: string;
      number: string;
      child_id: string;
      status: ContactState;
      rag: Rag | null;
      sender_urgency: Rag;
      received_at: Date;
      decision_due_at: Date | null;
      screener_id: string | null;
    }[];
    if (!row) throw new NotFoundException(`No contact with id ${contactId}`);
    return {
      id: row.id,
      number: row.number,
      childId: row.child_id,
      status: row.status,
      rag: row.rag,
      senderUrgency: row.sender_urgency,
      receivedAt: row.received_at,
      decisionDueAt: row.decision_due_at,
      screenerId: row.screener_id,
    };
  }

  /** Refuses, before anything is written, an act the contact's state does not allow. */
  check(contact: LockedContact, act: ContactAct): ContactState {
    const next = transition(contact.status, act);
    if (!next.allowed) throw new ConflictException(next.message);
    return next.to;
  }

  /** Moves the locked contact on by the act, and records it. */
  async apply(manager: EntityManager, contact: LockedContact, act: ContactAct, actor: Actor, details: Record<string, unknown> = {}): Promise<ContactState> {
    const to = this.check(contact, act);
    await manager.query(
      `UPDATE contact SET status = $2::varchar, finished_at = CASE WHEN $2::varchar = 'closed' THEN now() ELSE finished_at END, updated_at = now() WHERE id = $1`,
      [contact.id, to],
    );
    await this.audit.record(manager, {
      actor,
      action: 'contact.state_changed',
      subject: { type: 'contact', id: contact.id },
      childId: contact.childId,
      purpose: 'screening',
      details: { act, from: contact.status, to, ...details },
    });
    contact.status = to;
    return to;
  }
}
