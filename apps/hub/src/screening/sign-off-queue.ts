import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { ContactOutcome, Rag } from '#contracts';
import { staffActor } from '../access/staff-actor.js';
import type { StaffMember } from '../access/staff.js';
import { AuditTrail } from '../audit/audit-trail.js';

/** A decision waiting for a manager's sign-off, with the contact it decides. */
export interface DecisionAwaitingSignOff {
  contactId: string;
  number: string;
  /** The screener's RAG, or the sender's urgency until rated. */
  rag: Rag;
  receivedAt: string;
  decisionDueAt: string | null;
  decisionId: string;
  outcome: ContactOutcome;
  primaryNeed: string;
  levelOfNeed: number;
  decidedById: string;
  decidedBy: string;
  decidedByTeam: string | null;
  decidedAt: string;
}

/** The most decisions listed at once for sign-off. */
export const SIGN_OFF_LIST_LIMIT = 200;

/**
 * What waits for the MASH manager's sign-off: each contact awaiting sign-off with the decision
 * recorded on it, the earliest deadline first. The read is recorded in the audit trail.
 */
@Injectable()
export class SignOffQueue {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
  ) {}

  /** At most `limit`, the earliest deadline first; `more` when others wait beyond them. */
  list(viewer: StaffMember, limit = SIGN_OFF_LIST_LIMIT): Promise<{ decisions: DecisionAwaitingSignOff[]; more: boolean }> {
    return this.dataSource.transaction(async (manager) => {
      const found = (await manager.query(
        `SELECT c.id AS contact_id, c.number::text AS number, coalesce(c.rag, c.sender_urgency) AS rag, c.received_at, c.decision_due_at,
                d.id AS decision_id, d.outcome, d.primary_need, d.level_of_need, d.decided_by_id, d.decided_by_name, d.decided_by_team, d.decided_at
           FROM contact c JOIN contact_decision d ON d.contact_id = c.id AND d.returned_at IS NULL AND d.signed_off_at IS NULL
          WHERE c.status = 'awaiting_sign_off'
          ORDER BY c.decision_due_at NULLS LAST, c.received_at, c.id
          LIMIT $1`,
        [limit + 1],
      )) as SignOffRow[];
      const rows = found.slice(0, limit);
      await this.audit.record(manager, {
        actor: staffActor(viewer),
        action: 'contacts.listed',
        purpose: 'screening',
        details: { filters: { status: 'awaiting_sign_off' }, contactIds: rows.map((row) => row.contact_id), decisionIds: rows.map((row) => row.decision_id) },
      });
      const decisions = rows.map((row) => ({
        contactId: row.contact_id,
        number: row.number,
        rag: row.rag,
        receivedAt: row.received_at.toISOString(),
        decisionDueAt: row.decision_due_at?.toISOString() ?? null,
        decisionId: row.decision_id,
        outcome: row.outcome,
        primaryNeed: row.primary_need,
        levelOfNeed: row.level_of_need,
        decidedById: row.decided_by_id,
        decidedBy: row.decided_by_name,
        decidedByTeam: row.decided_by_team,
        decidedAt: row.decided_at.toISOString(),
      }));
      return { decisions, more: found.length > limit };
    });
  }
}

interface SignOffRow {
  contact_id: string;
  number: string;
  rag: Rag;
  received_at: Date;
  decision_due_at: Date | null;
  decision_id: string;
  outcome: ContactOutcome;
  primary_need: string;
  level_of_need: number;
  decided_by_id: string;
  decided_by_name: string;
  decided_by_team: string | null;
  decided_at: Date;
}
