import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { outcomeSummary, type Agency, type ContactOutcome, type SafeguardingNotification } from '#contracts';
import { describeConsentStatus, notificationContent, policyRows, standingConsent, type ConsentHistoryEntry, type SharingPolicy } from '#sharing';
import { staffActor } from '../access/staff-actor.js';
import type { StaffMember } from '../access/staff.js';
import { AuditTrail, contactEvent, type Actor } from '../audit/audit-trail.js';
import { SHARING_POLICY } from '../hub.tokens.js';
import { Outbox } from '../outbox/outbox.js';
import { CaseConsentBook } from './case-consent.js';
import { ShareDesk, type RecordedShare } from './share-desk.js';
import type {
  ConsentDecisionInput,
  ConsentEntryView,
  ConsentView,
  ContactSharingView,
  OwnerAgreementInput,
  OwnerAgreementView,
  SharingPolicyView,
  ShareRequestInput,
  ShareView,
} from './sharing.dto.js';

interface LockedContact {
  id: string;
  number: string;
  childId: string;
}

/**
 * What MASH staff do about sharing on a contact: record consent, override a refusal (managers),
 * record an owning agency's agreement, pass information on, tell referrers the outcome, and read
 * all of it. Each act takes the contact's row lock, so a share is decided on the consent that
 * stands at that moment, and commits with its audit event.
 */
@Injectable()
export class ContactSharing {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SHARING_POLICY) private readonly policy: SharingPolicy,
    private readonly consent: CaseConsentBook,
    private readonly desk: ShareDesk,
    private readonly audit: AuditTrail,
    private readonly outbox: Outbox,
  ) {}

  policyView(): SharingPolicyView {
    return { version: this.policy.version, approvedBy: this.policy.approvedBy, rows: policyRows(this.policy) };
  }

  /** Consent, owners' agreements and every share of the contact; the read is recorded. */
  view(contactId: string, staff: StaffMember): Promise<ContactSharingView> {
    return this.dataSource.transaction(async (manager) => {
      const contact = await this.find(manager, contactId, '');
      const view = await this.read(manager, contact.id);
      await this.audit.record(manager, contactEvent(staffActor(staff), 'shares.listed', contact, 'screening', { shareIds: view.shares.map((share) => share.id) }));
      return view;
    });
  }

  recordConsent(contactId: string, staff: StaffMember, input: ConsentDecisionInput): Promise<ConsentView> {
    return this.dataSource.transaction(async (manager) => {
      const contact = await this.find(manager, contactId, 'FOR UPDATE');
      await this.consent.record(manager, contact.id, contact.childId, staff, input);
      return consentView(await this.consent.history(manager, contact.id));
    });
  }

  overrideConsent(contactId: string, staff: StaffMember, justification: string): Promise<ConsentView> {
    return this.dataSource.transaction(async (manager) => {
      const contact = await this.find(manager, contactId, 'FOR UPDATE');
      await this.consent.override(manager, contact.id, contact.childId, staff, justification.trim());
      return consentView(await this.consent.history(manager, contact.id));
    });
  }

  recordOwnerAgreement(contactId: string, staff: StaffMember, input: OwnerAgreementInput): Promise<OwnerAgreementView> {
    if (input.ownerAgency === input.recipientAgency) {
      throw new BadRequestException({ message: 'Validation failed', errors: [{ path: 'recipientAgency', message: 'recipientAgency must differ from ownerAgency: information going back to its owner needs no agreement' }] });
    }
    return this.dataSource.transaction(async (manager) => {
      const contact = await this.find(manager, contactId, 'FOR UPDATE');
      const id = randomUUID();
      const [row] = (await manager.query(
        `INSERT INTO owner_agreement (id, contact_id, owner_agency, recipient_agency, agreed_by, notes, recorded_by_id, recorded_by_name, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now()) RETURNING recorded_at`,
        [id, contact.id, input.ownerAgency, input.recipientAgency, input.agreedBy.trim(), input.notes ?? null, staff.id, staff.name],
      )) as { recorded_at: Date }[];
      await this.audit.record(manager, contactEvent(staffActor(staff), 'owner_agreement.recorded', contact, 'onward disclosure', { ownerAgreementId: id, ownerAgency: input.ownerAgency, recipientAgency: input.recipientAgency }));
      return {
        id,
        ownerAgency: input.ownerAgency,
        recipientAgency: input.recipientAgency,
        agreedBy: input.agreedBy.trim(),
        notes: input.notes ?? null,
        recordedBy: staff.name,
        recordedAt: row.recorded_at.toISOString(),
      };
    });
  }

  /** Passes a notification's information on to another organisation, if the sharing decision allows it. The decision is recorded either way. */
  async requestShare(contactId: string, staff: StaffMember, input: ShareRequestInput): Promise<ShareView> {
    const recorded = await this.dataSource.transaction(async (manager) => {
      const contact = await this.find(manager, contactId, 'FOR UPDATE');
      const [link] = (await manager.query(
        `SELECT link.child_index, n.message, n.source_agency FROM contact_notification link JOIN notification n ON n.id = link.notification_id
          WHERE link.contact_id = $1 AND link.notification_id = $2`,
        [contact.id, input.notificationId],
      )) as { child_index: number; message: SafeguardingNotification; source_agency: Agency }[];
      if (!link) {
        throw new BadRequestException({
          message: 'Validation failed',
          errors: [{ path: 'notificationId', message: `notification ${input.notificationId} is not one of this contact's notifications` }],
        });
      }
      const [agreement] = (await manager.query(
        `SELECT 1 FROM owner_agreement WHERE contact_id = $1 AND owner_agency = $2 AND recipient_agency = $3 LIMIT 1`,
        [contact.id, link.source_agency, input.recipient.agency],
      )) as unknown[];
      const share = await this.desk.decideAndRecord(manager, {
        purpose: input.purpose,
        recipient: { agency: input.recipient.agency, organisation: input.recipient.organisation },
        content: notificationContent(link.message, link.child_index, contact.number),
        consent: standingConsent(await this.consent.history(manager, contact.id)),
        statedBasis: input.statedBasis ?? null,
        ownerAgreed: !!agreement,
        contactId: contact.id,
        childId: contact.childId,
        notificationId: input.notificationId,
        childIndex: link.child_index,
        requestedBy: staffActor(staff),
        correlationId: randomUUID(),
      });
      return this.shareView(manager, share.shareId);
    });
    if (recorded.decision === 'allowed') this.outbox.notifyCommitted();
    return recorded;
  }

  /** Tells every organisation that referred to this contact its outcome, as far as the sharing rules allow. */
  async tellReferrers(contactId: string, staff: StaffMember, outcome: ContactOutcome): Promise<ShareView[]> {
    const views = await this.dataSource.transaction(async (manager) => {
      const contact = await this.find(manager, contactId, 'FOR UPDATE');
      const shares = await this.feedBackOutcome(manager, contact, outcome, staffActor(staff), new Date());
      return Promise.all(shares.map((share) => this.shareView(manager, share.shareId)));
    });
    if (views.some((view) => view.decision === 'allowed')) this.outbox.notifyCommitted();
    return views;
  }

  /**
   * Feedback to the referrer, in the caller's transaction (which holds the contact locked): one share per
   * notification of the contact, to the organisation that sent it, carrying its own reference and the
   * outcome (only whether the council acts, for recipients the policy gives no more).
   */
  async feedBackOutcome(manager: EntityManager, contact: LockedContact, outcome: ContactOutcome, actor: Actor, decidedAt: Date): Promise<RecordedShare[]> {
    const referrals = (await manager.query(
      `SELECT n.id, n.source_agency, n.source_organisation, n.partner_reference, n.correlation_id
         FROM contact_notification link JOIN notification n ON n.id = link.notification_id
        WHERE link.contact_id = $1 ORDER BY n.received_at, n.id`,
      [contact.id],
    )) as { id: string; source_agency: Agency; source_organisation: string; partner_reference: string; correlation_id: string }[];
    const shares: RecordedShare[] = [];
    for (const referral of referrals) {
      shares.push(
        await this.desk.decideAndRecord(manager, {
          purpose: 'outcome_feedback',
          // Notifications from before organisations were recorded have nowhere to go back to.
          recipient: { agency: referral.source_agency, organisation: referral.source_organisation === 'unrecorded' ? null : referral.source_organisation },
          content: {
            owner: 'mash',
            fields: {
              'contact.reference': contact.number,
              'notification.reference': referral.partner_reference,
              'outcome.decision': outcome,
              'outcome.summary': outcomeSummary(outcome),
              'outcome.decidedAt': decidedAt.toISOString(),
            },
          },
          consent: null,
          ownerAgreed: false,
          contactId: contact.id,
          childId: contact.childId,
          notificationId: referral.id,
          requestedBy: actor,
          correlationId: referral.correlation_id,
        }),
      );
    }
    return shares;
  }

  private async find(manager: EntityManager, contactId: string, lock: '' | 'FOR UPDATE'): Promise<LockedContact> {
    const [row] = (await manager.query(`SELECT id, number::text AS number, child_id FROM contact WHERE id = $1 ${lock}`, [contactId])) as {
      id: string;
      number: string;
      child_id: string;
    }[];
    if (!row) throw new NotFoundException(`No contact with id ${contactId}`);
    return { id: row.id, number: row.number, childId: row.child_id };
  }

  private async read(manager: EntityManager, contactId: string): Promise<ContactSharingView> {
    const agreements = (await manager.query(
      `SELECT id, owner_agency, recipient_agency, agreed_by, notes, recorded_by_name, recorded_at FROM owner_agreement WHERE contact_id = $1 ORDER BY recorded_at, id`,
      [contactId],
    )) as { id: string; owner_agency: Agency; recipient_agency: Agency; agreed_by: string; notes: string | null; recorded_by_name: string; recorded_at: Date }[];
    const shares = (await manager.query(`SELECT * FROM share WHERE contact_id = $1 ORDER BY created_at DESC, id DESC`, [contactId])) as ShareRow[];
    return {
      consent: consentView(await this.consent.history(manager, contactId)),
      ownerAgreements: agreements.map((row) => ({
        id: row.id,
        ownerAgency: row.owner_agency,
        recipientAgency: row.recipient_agency,
        agreedBy: row.agreed_by,
        notes: row.notes,
        recordedBy: row.recorded_by_name,
        recordedAt: row.recorded_at.toISOString(),
      })),
      shares: shares.map(toShareView),
    };
  }

  private async shareView(manager: EntityManager, shareId: string): Promise<ShareView> {
    const [row] = (await manager.query(`SELECT * FROM share WHERE id = $1`, [shareId])) as ShareRow[];
    return toShareView(row);
  }
}

interface ShareRow {
  id: string;
  purpose: ShareView['purpose'];
  decision: string;
  reasons: ShareView['reasons'];
  recipient_agency: Agency;
  recipient_organisation: string | null;
  notification_id: string | null;
  article6: string | null;
  article9: string | null;
  gateways: string[];
  consent: string | null;
  policy_version: string | null;
  fields_shared: string[];
  fields_withheld: string[];
  requested_by_name: string;
  due_at: Date | null;
  delivered_at: Date | null;
  acknowledged_at: Date | null;
  decided_at: Date | null;
  created_at: Date;
}

function toShareView(row: ShareRow): ShareView {
  return {
    id: row.id,
    purpose: row.purpose,
    decision: row.decision,
    reasons: row.reasons,
    recipientAgency: row.recipient_agency,
    recipientOrganisation: row.recipient_organisation,
    notificationId: row.notification_id,
    article6: row.article6,
    article9: row.article9,
    gateways: row.gateways,
    consent: row.consent,
    policyVersion: row.policy_version,
    fieldsShared: row.fields_shared,
    fieldsWithheld: row.fields_withheld,
    requestedBy: row.requested_by_name,
    dueAt: row.due_at?.toISOString() ?? null,
    deliveredAt: row.delivered_at?.toISOString() ?? null,
    acknowledgedAt: row.acknowledged_at?.toISOString() ?? null,
    decidedAt: row.decided_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
  };
}

function entryView(entry: ConsentHistoryEntry): ConsentEntryView {
  if (entry.kind === 'override') {
    return {
      kind: 'override',
      status: null,
      givenBy: null,
      notSoughtReason: null,
      notes: null,
      justification: entry.justification,
      recordedBy: entry.managerName,
      notificationId: null,
      recordedAt: entry.recordedAt.toISOString(),
    };
  }
  return {
    kind: 'decision',
    status: entry.status,
    givenBy: entry.givenBy ?? null,
    notSoughtReason: entry.notSoughtReason ?? null,
    notes: entry.notes ?? null,
    justification: null,
    recordedBy: entry.recordedBy.kind === 'partner' ? entry.recordedBy.agency : entry.recordedBy.name,
    notificationId: entry.recordedBy.kind === 'partner' ? entry.recordedBy.notificationId : null,
    recordedAt: entry.recordedAt.toISOString(),
  };
}

export function consentView(history: ConsentHistoryEntry[]): ConsentView {
  const standing = standingConsent(history);
  const views = history.map(entryView);
  const decisionAt = standing ? history.findIndex((entry) => entry.kind === 'decision' && entry.recordedAt === standing.decision.recordedAt && entry.status === standing.decision.status) : -1;
  const overrideAt = standing?.override ? history.findIndex((entry) => entry.kind === 'override' && entry.recordedAt === standing.override!.recordedAt) : -1;
  return {
    standing: decisionAt >= 0 ? views[decisionAt] : null,
    override: overrideAt >= 0 ? views[overrideAt] : null,
    summary: standing ? describeConsentStatus(standing) : 'no consent decision recorded',
    history: views,
  };
}
