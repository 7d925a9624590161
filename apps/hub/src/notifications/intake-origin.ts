import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Job } from 'bullmq';
import { isUUID } from 'class-validator';
import type { DataSource } from 'typeorm';
import { AGENCIES, CANONICAL_PARTNER_REFERENCE_PATTERN, intakeQueueAgency, type Agency } from '#contracts';
import { PermanentMessageError } from '#queue-transport';
import { AuditTrail } from '../audit/audit-trail.js';

/**
 * The intake queue a message arrives on says which adapter sent it: in
 * production each adapter's Redis user may write only its own agency's
 * queue. A message claiming another agency is refused (never retried) and
 * recorded as 'message.refused'.
 */
@Injectable()
export class IntakeOrigin {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
  ) {}

  /**
   * The queue's agency, once the agency the message claims matches it. A claim
   * that is not an agency at all is left for validation to refuse.
   */
  async check(job: Job, claimed: unknown, message: Record<string, unknown>): Promise<Agency> {
    const queueAgency = intakeQueueAgency(job.queueName);
    if (!queueAgency) throw new PermanentMessageError(`queue ${job.queueName} is not an agency's intake queue`);
    if (typeof claimed !== 'string' || !AGENCIES.includes(claimed as Agency) || claimed === queueAgency) return queueAgency;

    const notificationId = typeof message.notificationId === 'string' && isUUID(message.notificationId) ? message.notificationId : null;
    const correlationId = typeof message.correlationId === 'string' && isUUID(message.correlationId) ? message.correlationId : null;
    const partnerReference =
      typeof message.partnerReference === 'string' && CANONICAL_PARTNER_REFERENCE_PATTERN.test(message.partnerReference) ? message.partnerReference : null;
    const reason = `a message claiming to be from ${claimed} arrived on the ${queueAgency} intake queue, which only the ${queueAgency} adapter may write`;
    // Its own transaction: the refused message's intake transaction never runs.
    await this.dataSource.transaction((manager) =>
      this.audit.record(manager, {
        actor: { type: 'agency_system', id: `${queueAgency}-adapter`, onBehalfOf: queueAgency },
        action: 'message.refused',
        purpose: 'message origin check',
        correlationId,
        details: {
          queue: job.queueName,
          queueAgency,
          claimedAgency: claimed,
          pattern: job.name,
          jobId: job.id ?? null,
          notificationId,
          partnerReference,
          reason: 'agency_mismatch',
        },
      }),
    );
    throw new PermanentMessageError(reason);
  }
}
