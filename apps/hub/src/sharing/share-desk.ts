import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { agencyQueue, MessagePatterns, type InformationShared } from '#contracts';
import { decideShare, describePurpose, type CaseConsent, type ShareContent, type ShareDecision, type SharePurpose, type ShareRecipient, type SharingPolicy, type StatedBasis } from '#sharing';
import { AuditTrail, type Actor, type AuditRecord } from '../audit/audit-trail.js';
import { SHARING_POLICY } from '../hub.tokens.js';
import { Outbox } from '../outbox/outbox.js';

/** What is to be shared, about which case, and who asks. */
export interface ShareApplication {
  purpose: SharePurpose;
  recipient: ShareRecipient;
  content: ShareContent;
  consent: CaseConsent | null;
  statedBasis?: StatedBasis | null;
  ownerAgreed: boolean;
  contactId: string | null;
  childId: string | null;
  notificationId?: string | null;
  childIndex?: number | null;
  /** A member of staff, or the hub itself. */
  requestedBy: Actor;
  correlationId: string;
  dueAt?: Date | null;
  /** Decide a share recorded earlier as pending (Operation Encompass) instead of recording a new one. */
  pendingShareId?: string;
}

export interface RecordedShare {
  shareId: string;
  decision: ShareDecision;
  outboxMessageId: string | null;
}

/**
 * Where every share is decided and recorded, in the caller's transaction: the sharing decision; the
 * share with its outcome, reasons, basis, policy version and field names; the message to the
 * recipient's inbox through the outbox (only when allowed: nothing leaves without an allow); and the
 * audit event, allowed or refused.
 */
@Injectable()
export class ShareDesk {
  constructor(
    @Inject(SHARING_POLICY) private readonly policy: SharingPolicy,
    private readonly audit: AuditTrail,
    private readonly outbox: Outbox,
  ) {}

  get policyVersion(): string {
    return this.policy.version;
  }

  async decideAndRecord(manager: EntityManager, application: ShareApplication): Promise<RecordedShare> {
    const { event, ...recorded } = await this.decideAndRecordUnaudited(manager, application);
    await this.audit.append(manager, [event]);
    return recorded;
  }

  /**
   * The same, leaving the audit event to the caller, who must append it in this transaction: one that
   * decides many shares appends all their events at once, at its end, so the audit chain's head is not
   * held locked while the rest are decided.
   */
  async decideAndRecordUnaudited(manager: EntityManager, application: ShareApplication): Promise<RecordedShare & { event: AuditRecord }> {
    const decision = decideShare(application, this.policy);
    const shareId = application.pendingShareId ?? randomUUID();
    const now = new Date();
    let outboxMessageId: string | null = null;
    if (decision.outcome === 'allow') {
      const message: InformationShared = {
        shareId,
        correlationId: application.correlationId,
        purpose: decision.purpose,
        recipientAgency: decision.recipient.agency,
        recipientOrganisation: decision.recipient.organisation!,
        policyVersion: decision.policyVersion,
        lawfulBasis: { article6: decision.article6, ...(decision.article9 && { article9: decision.article9 }), statutoryGateways: decision.gateways },
        payload: decision.payload,
        sharedAt: now.toISOString(),
      };
      outboxMessageId = await this.outbox.add(manager, {
        queue: agencyQueue(decision.recipient.agency),
        pattern: MessagePatterns.informationShared,
        payload: message,
        correlationId: application.correlationId,
      });
    }
    const row = shareRow(application, decision, { shareId, outboxMessageId, now });
    if (application.pendingShareId) {
      // A pending share keeps when it was recorded (at intake); the rest is the decision.
      const { id: _id, created_at: _createdAt, ...changes } = row;
      const [, updated] = (await manager.query(
        `UPDATE share SET ${Object.keys(changes).map((column, index) => `${column} = $${index + 2}`).join(', ')} WHERE id = $1 AND decision = 'pending'`,
        [shareId, ...Object.values(changes)],
      )) as [unknown, number];
      // The caller holds the pending row locked; anything else is a second decision of one share.
      if (updated !== 1) throw new Error(`share ${shareId} is not pending`);
    } else {
      const columns = Object.keys(row);
      await manager.query(
        `INSERT INTO share (${columns.join(', ')}) VALUES (${columns.map((_, index) => `$${index + 1}`).join(', ')})`,
        Object.values(row),
      );
    }
    return { shareId, decision, outboxMessageId, event: shareEvent(application, decision, shareId, outboxMessageId) };
  }
}

type ShareColumns = Record<string, unknown> & { id: string; created_at: Date };

function shareRow(application: ShareApplication, decision: ShareDecision, ids: { shareId: string; outboxMessageId: string | null; now: Date }): ShareColumns {
  const allowed = decision.outcome === 'allow' ? decision : null;
  const actor = application.requestedBy;
  return {
    id: ids.shareId,
    purpose: application.purpose,
    contact_id: application.contactId,
    child_id: application.childId,
    notification_id: application.notificationId ?? null,
    child_index: application.childIndex ?? null,
    recipient_agency: application.recipient.agency,
    recipient_organisation: application.recipient.organisation,
    decision: allowed ? 'allowed' : 'refused',
    // jsonb, so sent as JSON text (an array parameter would go as a Postgres array).
    reasons: JSON.stringify(decision.outcome === 'refuse' ? decision.reasons : []),
    article6: allowed?.article6 ?? null,
    article9: allowed?.article9 ?? null,
    gateways: allowed?.gateways ?? [],
    consent: allowed?.consent ?? null,
    policy_version: decision.policyVersion,
    fields_shared: allowed?.fieldsShared ?? [],
    fields_withheld: allowed ? allowed.fieldsWithheld : decision.outcome === 'refuse' ? decision.fieldsRequested : [],
    requested_by_type: actor.type === 'person' ? 'person' : 'hub',
    requested_by_id: actor.id,
    requested_by_name: actor.name ?? actor.id,
    justification: application.statedBasis?.justification ?? null,
    outbox_message_id: ids.outboxMessageId,
    correlation_id: application.correlationId,
    due_at: application.dueAt ?? null,
    created_at: ids.now,
    decided_at: ids.now,
  };
}

/** The audit event of a decision: its reasons, basis, policy version and the names of the fields, never their values. */
function shareEvent(application: ShareApplication, decision: ShareDecision, shareId: string, outboxMessageId: string | null): AuditRecord {
  const common = {
    shareId,
    purpose: decision.purpose,
    recipientAgency: decision.recipient.agency,
    recipientOrganisation: decision.recipient.organisation,
    owner: application.content.owner,
    contactId: application.contactId,
    notificationId: application.notificationId ?? null,
    childIndex: application.childIndex ?? null,
    policyVersion: decision.policyVersion,
    statedBasis: application.statedBasis
      ? { article6: application.statedBasis.article6 ?? null, gateway: application.statedBasis.gateway ?? null, justificationGiven: !!application.statedBasis.justification }
      : null,
    ownerAgreed: application.ownerAgreed,
    dueAt: application.dueAt?.toISOString() ?? null,
  };
  if (decision.outcome === 'refuse') {
    return {
      actor: application.requestedBy,
      action: 'information.refused',
      subject: { type: 'share', id: shareId },
      childId: application.childId,
      purpose: describePurpose(decision.purpose),
      correlationId: application.correlationId,
      details: { ...common, reasons: decision.reasons.map(({ code, explanation }) => ({ code, explanation })), fieldsRequested: decision.fieldsRequested },
    };
  }
  return {
    actor: application.requestedBy,
    action: 'information.shared',
    subject: { type: 'share', id: shareId },
    childId: application.childId,
    purpose: describePurpose(decision.purpose),
    lawfulBasis: [`article6:${decision.article6}`, decision.article9 && `article9:${decision.article9}`, ...decision.gateways].filter(Boolean).join('; '),
    correlationId: application.correlationId,
    details: {
      ...common,
      outboxMessageId,
      consent: decision.consent,
      article6: decision.article6,
      article9: decision.article9,
      gateways: decision.gateways,
      fieldsShared: decision.fieldsShared,
      fieldsWithheld: decision.fieldsWithheld,
      dataClasses: decision.dataClasses,
    },
  };
}

