import { ConflictException, ServiceUnavailableException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { lastValueFrom } from 'rxjs';
import {
  InvalidMessageError,
  MessagePatterns,
  SafeguardingNotification,
  isUuidText,
  validateMessage,
  type Agency,
  type SubmittedBy,
} from '#contracts';
import { QueueRecord, type QueueClient } from '#queue-transport';
import { fingerprint, notificationIdFor } from './notification-id.js';
import type { PartnerSystem } from './partner-access.js';
import { SubmissionBusyError, type Receipt, type ReceiptBook, type ReceiptStatus } from './receipt-book.js';

/** The adapter's answer to a partner: 202 with these fields. */
export interface SubmissionResult {
  notificationId: string;
  correlationId: string;
  status: ReceiptStatus;
  /** True when this partner reference was already received; nothing new was queued. */
  duplicate: boolean;
}

/** Builds the canonical message once the ids (and the sending organisation) are known. */
export type CanonicalMapping = (ids: { notificationId: string; correlationId: string; sourceOrganisation: string }) => SafeguardingNotification;

/** The partner system that sent the submission, as the guard admitted it. */
export interface Sender {
  /** The organisation inside the agency (force, trust, school, …): part of the notification's identity. */
  organisation: string;
  /** Carried to the hub's audit trail. */
  submittedBy: SubmittedBy;
}

/** The sender of a submission as the guard admitted its system: what every adapter's submit passes. */
export function senderOf(partner: PartnerSystem): Sender {
  return { organisation: partner.organisation, submittedBy: { credentialId: partner.credentialId, system: partner.system } };
}

export interface SubmissionOptions {
  /** The partner's own id to follow the submission by (a UUID, in either case); a new one is assigned if absent or not a UUID. */
  correlationId?: string;
}

export class CanonicalMappingError extends Error {
  constructor(readonly invalid: InvalidMessageError) {
    super(`the mapped canonical message is invalid: ${invalid.message}`);
  }
}

/** Rounds of "another request changed the receipt first" before giving up; each round re-reads it. */
const MAX_RECEIPT_RACES = 5;

/**
 * Takes a partner's submission to the hub durably and at most once: the
 * answer is given only after Redis has the message, and the same reference
 * from the same organisation always yields the same notification.
 *
 * A receipt is written 'pending' before publishing and marked 'queued' after.
 * A pending receipt means the publish failed or its answer was lost; then a
 * corrected resend may replace it, unless the intake queue shows the job
 * arrived after all (its id is the notification id), in which case the earlier
 * content is what was queued. Requests for one notification take turns (a
 * short lock in Redis), so a resend never replaces a receipt whose publish is
 * still in flight.
 */
export class PartnerSubmissions {
  constructor(
    private readonly agency: Agency,
    private readonly receipts: ReceiptBook,
    private readonly hub: QueueClient,
  ) {}

  async submit(
    partnerReference: string,
    submission: unknown,
    mapping: CanonicalMapping,
    sender: Sender,
    options: SubmissionOptions = {},
  ): Promise<SubmissionResult> {
    // Kept in one (lower-case) form: the hub stores and hashes it that way.
    const correlationId = isUuidText(options.correlationId) ? options.correlationId.toLowerCase() : randomUUID();
    const { organisation } = sender;
    const toCanonical: CanonicalMapping = (ids) => ({
      ...mapping(ids),
      submittedBy: { credentialId: sender.submittedBy.credentialId, system: sender.submittedBy.system },
    });
    const notificationId = notificationIdFor(this.agency, organisation, partnerReference);
    const contentFingerprint = fingerprint(submission);
    const receipt: Receipt = {
      notificationId,
      correlationId,
      organisation,
      partnerReference,
      fingerprint: contentFingerprint,
      status: 'pending',
      receivedAt: new Date().toISOString(),
    };

    try {
      return await this.receipts.exclusively(organisation, notificationId, () => this.decide(receipt, toCanonical));
    } catch (error) {
      if (error instanceof SubmissionBusyError) {
        throw new ServiceUnavailableException(`Reference ${partnerReference} is being sent by another request; send it again shortly.`);
      }
      throw error;
    }
  }

  /** Under the notification's lock: new, a repeat, a correction of a submission that never reached the queue, or a conflict. */
  private async decide(receipt: Receipt, toCanonical: CanonicalMapping): Promise<SubmissionResult> {
    const { organisation, notificationId } = receipt;
    // The lock makes one round the rule; the compare-and-set steps still guard against a lock that expired mid-way.
    for (let round = 0; round < MAX_RECEIPT_RACES; round++) {
      const existing = await this.receipts.get(organisation, notificationId);
      if (!existing) {
        const message = await this.canonical(toCanonical, receipt);
        if (await this.receipts.create(receipt)) return this.publishNew(message, organisation);
        continue;
      }
      // A receipt written only by the hub's acceptance (the adapter's had expired) has no fingerprint: a repeat.
      if (!existing.fingerprint || existing.fingerprint === receipt.fingerprint) return this.repeat(existing, toCanonical);
      if (existing.status !== 'pending' || (await this.wasQueued(existing))) throw this.changed(existing);
      // Nothing was queued under this id: the corrected submission takes the earlier one's place.
      const message = await this.canonical(toCanonical, receipt);
      if (await this.receipts.replacePending(existing.fingerprint, receipt)) return this.publishNew(message, organisation);
    }
    throw new ServiceUnavailableException(`Reference ${receipt.partnerReference} is being sent by several requests at once; send it again shortly.`);
  }

  /** The same content again: a duplicate. If its earlier publish did not finish, finish it (same job id, so at most one job). */
  private async repeat(receipt: Receipt, toCanonical: CanonicalMapping): Promise<SubmissionResult> {
    if (receipt.status === 'pending') {
      await this.publish(await this.canonical(toCanonical, receipt), receipt.organisation);
      receipt.status = 'queued';
    }
    return {
      notificationId: receipt.notificationId,
      correlationId: receipt.correlationId,
      status: receipt.status,
      duplicate: true,
    };
  }

  /**
   * Whether the intake queue holds (or held) a job for this pending receipt. A publish can fail
   * after Redis took the job (the reply was lost); then the receipt's content is what was queued,
   * and the receipt is marked so. Completed jobs are kept for QUEUE_KEEP_COMPLETED_SECONDS (an hour
   * by default), so a job the hub took recently is still found; a correction sent later than that,
   * under a receipt still pending, reaches the hub as different content under a stored id, which the
   * hub refuses and dead-letters where operators see it.
   */
  private async wasQueued(receipt: Receipt): Promise<boolean> {
    const queue = await this.hub.connect();
    const state = await queue.getJobState(receipt.notificationId);
    if (state === 'unknown') return false;
    await this.receipts.markQueued(receipt.organisation, receipt.notificationId);
    return true;
  }

  private changed(receipt: Receipt): ConflictException {
    return new ConflictException(
      `Reference ${receipt.partnerReference} was already received with different content. ` +
        'Send a change under a new reference.',
    );
  }

  private async publishNew(message: SafeguardingNotification, organisation: string): Promise<SubmissionResult> {
    await this.publish(message, organisation);
    return { notificationId: message.notificationId, correlationId: message.correlationId, status: 'queued', duplicate: false };
  }

  private async canonical(toCanonical: CanonicalMapping, receipt: Receipt) {
    const ids = { notificationId: receipt.notificationId, correlationId: receipt.correlationId, sourceOrganisation: receipt.organisation };
    try {
      return await validateMessage(SafeguardingNotification, toCanonical(ids), 'canonical notification');
    } catch (error) {
      if (error instanceof InvalidMessageError) throw new CanonicalMappingError(error);
      throw error;
    }
  }

  private async publish(message: SafeguardingNotification, organisation: string): Promise<void> {
    await lastValueFrom(
      this.hub.emit(MessagePatterns.notificationReceived, new QueueRecord(message, { jobId: message.notificationId })),
      { defaultValue: undefined },
    );
    await this.receipts.markQueued(organisation, message.notificationId);
  }
}
