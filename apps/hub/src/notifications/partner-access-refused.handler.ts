import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { InvalidMessageError, MessagePatterns, PartnerAccessRefused, validateMessage } from '#contracts';
import { PermanentMessageError, QueueContext } from '#queue-transport';
import { AccessRefusals } from '../access/access-refusals.js';
import { IntakeOrigin } from './intake-origin.js';

/**
 * An adapter refused a partner's request: the hub counts it (AccessRefusals)
 * as 'access.denied' by the system that presented the credential (or
 * 'anonymous'), for the agency the credential was issued to.
 *
 * Counted at least once: if the hub stops between the count and the job's
 * completion, the message returns and is counted again.
 */
@Controller()
export class PartnerAccessRefusedHandler {
  private readonly logger = new Logger(PartnerAccessRefusedHandler.name);

  constructor(
    private readonly refusals: AccessRefusals,
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
    // Counted with the other refusals from the same system, reason and route in this window:
    // a partner retrying with a bad credential must not grow the chain (or wait on its head) per request.
    await this.refusals.count({
      actor: { type: 'agency_system', id: refusal.credentialId ?? 'anonymous', onBehalfOf: refusal.claimedAgency ?? null },
      action: 'access.denied',
      reason: refusal.reason,
      details: {
        adapterAgency: refusal.adapterAgency,
        claimedAgency: refusal.claimedAgency ?? null,
        claimedOrganisation: refusal.claimedOrganisation ?? null,
        credentialId: refusal.credentialId ?? null,
        status: refusal.status,
        method: refusal.method,
        route: refusal.route,
      },
    });
    this.logger.log({ message: 'partner access refusal counted', refusalId: refusal.refusalId, reason: refusal.reason, jobId: context.getJob().id });
  }
}
