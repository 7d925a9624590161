import { ConflictException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { lastValueFrom } from 'rxjs';
import {
  InvalidMessageError,
  MessagePatterns,
  SafeguardingNotification,
  validateMessage,
  type Agency,
  type SubmittedBy,
} from '#contracts';
import { QueueRecord, type QueueClient } from '#queue-transport';
import { fingerprint, notificationIdFor } from './notification-id.js';
import type { ReceiptBook, ReceiptStatus } from './receipt-book.js';

/** The adapter's answer to a partner: 202 with these fields. */
export interface SubmissionResult {
  notificationId: string;
  correlationId: string;
  status: ReceiptStatus;
  /** True when this partner reference was already received; nothing new was queued. */
  duplicate: boolean;
}

/** Builds the canonical message once the ids are known. */
export type CanonicalMapping = (ids: { notificationId: string; correlationId: string }) => SafeguardingNotification;

export interface SubmissionOptions {
  /** The partner's own id to follow the submission by; a new one is assigned if absent. */
  correlationId?: string;
  /** The partner system that submitted it (from its credential): carried to the hub's audit trail. */
  submittedBy?: SubmittedBy;
}

export class CanonicalMappingError extends Error {
  constructor(readonly invalid: InvalidMessageError) {
    super(`the mapped canonical message is invalid: ${invalid.message}`);
  }
}

/**
 * Takes a partner's submission to the hub durably and at most once: the
 * answer is given only after Redis has the message, and the same partner
 * reference always yields the same notification.
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
    { correlationId = randomUUID(), submittedBy }: SubmissionOptions = {},
  ): Promise<SubmissionResult> {
    const toCanonical: CanonicalMapping = submittedBy
      ? (ids) => ({ ...mapping(ids), submittedBy: { credentialId: submittedBy.credentialId, system: submittedBy.system } })
      : mapping;
    const notificationId = notificationIdFor(this.agency, partnerReference);
    const contentFingerprint = fingerprint(submission);

    const existing = await this.receipts.get(notificationId);
    if (existing) return this.repeat(existing, contentFingerprint, toCanonical);

    const message = await this.canonical(toCanonical, { notificationId, correlationId });
    const created = await this.receipts.create({
      notificationId,
      correlationId,
      partnerReference,
      fingerprint: contentFingerprint,
      status: 'pending',
      receivedAt: new Date().toISOString(),
    });
    if (!created) {
      // The same notice arrived twice at once; the other request owns it.
      const winner = await this.receipts.get(notificationId);
      if (winner) return this.repeat(winner, contentFingerprint, toCanonical);
    }
    await this.publish(message);
    return { notificationId, correlationId, status: 'queued', duplicate: false };
  }

  private async repeat(
    receipt: NonNullable<Awaited<ReturnType<ReceiptBook['get']>>>,
    contentFingerprint: string,
    toCanonical: CanonicalMapping,
  ): Promise<SubmissionResult> {
    if (receipt.fingerprint && receipt.fingerprint !== contentFingerprint) {
      throw new ConflictException(
        `Reference ${receipt.partnerReference} was already received with different content. ` +
          'Send a change under a new reference.',
      );
    }
    if (receipt.status === 'pending') {
      // An earlier request stopped between receipt and queue: finish its work (same job id, so at most one job).
      const { notificationId, correlationId } = receipt;
      await this.publish(await this.canonical(toCanonical, { notificationId, correlationId }));
      receipt.status = 'queued';
    }
    return {
      notificationId: receipt.notificationId,
      correlationId: receipt.correlationId,
      status: receipt.status,
      duplicate: true,
    };
  }

  private async canonical(toCanonical: CanonicalMapping, ids: { notificationId: string; correlationId: string }) {
    try {
      return await validateMessage(SafeguardingNotification, toCanonical(ids), 'canonical notification');
    } catch (error) {
      if (error instanceof InvalidMessageError) throw new CanonicalMappingError(error);
      throw error;
    }
  }

  private async publish(message: SafeguardingNotification): Promise<void> {
    await lastValueFrom(
      this.hub.emit(MessagePatterns.notificationReceived, new QueueRecord(message, { jobId: message.notificationId })),
      { defaultValue: undefined },
    );
    await this.receipts.markQueued(message.notificationId);
  }
}
