import { ConflictException, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Agency, Consent } from '#contracts';
import { overrideProblem, standingConsent, type CaseConsent, type ConsentHistoryEntry } from '#sharing';
import { staffActor } from '../access/staff-actor.js';
import type { StaffMember } from '../access/staff.js';
import { AuditTrail } from '../audit/audit-trail.js';
import type { ConsentDecisionInput } from './sharing.dto.js';

/**
 * The consent on a contact: the decisions partners recorded on their notifications (carried forward
 * as they sent them, never re-keyed), the decisions MASH staff recorded, and managers' overrides of
 * refusals. The newest decision stands.
 */
@Injectable()
export class CaseConsentBook {
  constructor(private readonly audit: AuditTrail) {}

  async history(manager: EntityManager, contactId: string): Promise<ConsentHistoryEntry[]> {
    const fromPartners = (await manager.query(
      `SELECT n.id, n.source_agency, n.source_organisation, n.received_at, n.message->'consent' AS consent
         FROM contact_notification link JOIN notification n ON n.id = link.notification_id
        WHERE link.contact_id = $1`,
      [contactId],
    )) as { id: string; source_agency: Agency; source_organisation: string; received_at: Date; consent: Consent }[];
    const fromStaff = (await manager.query(
      `SELECT kind, status, given_by, not_sought_reason, notes, justification, recorded_by_id, recorded_by_name, recorded_at
         FROM consent_record WHERE contact_id = $1`,
      [contactId],
    )) as ConsentRecordRow[];
    const entries: ConsentHistoryEntry[] = [
      ...fromPartners.map((row): ConsentHistoryEntry => ({
        kind: 'decision',
        status: row.consent.status,
        givenBy: row.consent.givenBy ?? null,
        notSoughtReason: row.consent.notSoughtReason ?? null,
        notes: row.consent.notes ?? null,
        recordedBy: { kind: 'partner', agency: row.source_agency, organisation: row.source_organisation, notificationId: row.id },
        recordedAt: row.received_at,
      })),
      ...fromStaff.map((row): ConsentHistoryEntry =>
        row.kind === 'override'
          ? { kind: 'override', managerId: row.recorded_by_id, managerName: row.recorded_by_name, justification: row.justification!, recordedAt: row.recorded_at }
          : {
              kind: 'decision',
              status: row.status!,
              givenBy: row.given_by,
              notSoughtReason: row.not_sought_reason,
              notes: row.notes,
              recordedBy: { kind: 'staff', id: row.recorded_by_id, name: row.recorded_by_name },
              recordedAt: row.recorded_at,
            },
      ),
    ];
    return entries.sort((a, b) => a.recordedAt.getTime() - b.recordedAt.getTime());
  }

  async standing(manager: EntityManager, contactId: string): Promise<CaseConsent | null> {
    return standingConsent(await this.history(manager, contactId));
  }

  /** Records a staff member's consent decision. The caller holds the contact locked. */
  async record(manager: EntityManager, contactId: string, childId: string, staff: StaffMember, input: ConsentDecisionInput): Promise<void> {
    const id = randomUUID();
    await manager.query(
      `INSERT INTO consent_record (id, contact_id, kind, status, given_by, not_sought_reason, notes, recorded_by_id, recorded_by_name, recorded_at)
       VALUES ($1, $2, 'decision', $3, $4, $5, $6, $7, $8, now())`,
      [id, contactId, input.status, input.givenBy ?? null, input.notSoughtReason ?? null, input.notes ?? null, staff.id, staff.name],
    );
    await this.audit.record(manager, {
      actor: staffActor(staff),
      action: 'consent.recorded',
      subject: { type: 'contact', id: contactId },
      childId,
      purpose: 'consent decision',
      details: { consentRecordId: id, decidedBy: 'mash', status: input.status, givenBy: input.givenBy ?? null, notSoughtReason: input.notSoughtReason ?? null },
    });
  }

  /**
   * A manager overrides the standing refusal with a written safeguarding justification. The caller
   * holds the contact locked and has checked the role; refused with 409 when there is no refusal to override.
   */
  async override(manager: EntityManager, contactId: string, childId: string, staff: StaffMember, justification: string): Promise<void> {
    const problem = overrideProblem(await this.standing(manager, contactId));
    if (problem) throw new ConflictException(`Cannot override consent: ${problem}.`);
    const id = randomUUID();
    await manager.query(
      `INSERT INTO consent_record (id, contact_id, kind, justification, recorded_by_id, recorded_by_name, recorded_at)
       VALUES ($1, $2, 'override', $3, $4, $5, now())`,
      [id, contactId, justification, staff.id, staff.name],
    );
    await this.audit.record(manager, {
      actor: staffActor(staff),
      action: 'consent.overridden',
      subject: { type: 'contact', id: contactId },
      childId,
      purpose: 'consent override for safeguarding',
      lawfulBasis: 'article9:dpa2018_sch1_para18_safeguarding',
      // The justification is the record the law asks for; it is kept with the override and in the trail.
      details: { consentRecordId: id, justification },
    });
  }
}

interface ConsentRecordRow {
  kind: 'decision' | 'override';
  status: Consent['status'] | null;
  given_by: Consent['givenBy'] | null;
  not_sought_reason: Consent['notSoughtReason'] | null;
  notes: string | null;
  justification: string | null;
  recorded_by_id: string;
  recorded_by_name: string;
  recorded_at: Date;
}
