import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { InvalidMessageError, MessagePatterns, PartnerAccessRefused, validateMessage } from '#contracts';
import { PermanentMessageError, QueueContext } from '#queue-transport';
import { AuditTrail } from '../audit/audit-trail.js';
import { IntakeOrigin } from './intake-origin.js';

/**
 * An adapter refused a partner's request: the hub records it as
 * 'access.denied' by the system that presented the credential (or
 * 'anonymous'), for the agency the credential was issued to.
 *
 * Recorded at least once: if the hub stops between the commit and the job's
 * completion, the message returns and is recorded again, with the same refusalId.
 */
@Controller()
export class PartnerAccessRefusedHandler {
  private readonly logger = new Logger(PartnerAccessRefusedHandler.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
    private readonly origin: IntakeOrigin,
  ) {}

  @EventPattern<string>(MessagePatterns.partnerAccessRefused)
  async onRefused(@Payload() payload: unknown, @Ctx() context: QueueContext): Promise<void> {
    const fields = payload && typeof payload === 'object' ? (payload as Record<string, unknown>) : {};
    await this.origin.check(context.getJob(), fields.adapterAgency, fields);
    let refusal: PartnerAccessRefused;
    try {
      refusal = await validateMessage(PartnerAccessRefused, payload, 'partner access refusal');
    } catch (error) {
      if (error instanceof InvalidMessageError) throw new PermanentMessageError(error.message, error.errors);
      throw error;
    }
    await this.dataSource.transaction((manager) =>
      this.audit.record(manager, {
        actor: { type: 'agency_system', id: refusal.credentialId ?? 'anonymous', onBehalfOf: refusal.claimedAgency ?? null },
        action: 'access.denied',
        purpose: 'access control',
        details: {
          refusalId: refusal.refusalId,
          adapterAgency: refusal.adapterAgency,
          claimedAgency: refusal.claimedAgency ?? null,
          claimedOrganisation: refusal.claimedOrganisation ?? null,
          credentialId: refusal.credentialId ?? null,
          reason: refusal.reason,
          status: refusal.status,
          method: refusal.method,
          route: refusal.route,
          refusedAt: refusal.refusedAt,
        },
      }),
    );
    this.logger.log({ message: 'partner access refusal recorded', refusalId: refusal.refusalId, reason: refusal.reason, jobId: context.getJob().id });
  }
}
