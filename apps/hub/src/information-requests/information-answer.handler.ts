import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { InformationAnswer, InvalidMessageError, MessagePatterns, validateMessage } from '#contracts';
import { PermanentMessageError, QueueContext } from '#queue-transport';
import { AuditTrail } from '../audit/audit-trail.js';
import { IntakeOrigin } from '../notifications/intake-origin.js';
import { InformationRequests } from './information-requests.js';

/**
 * A partner organisation's answer to an information request, from its agency's adapter. Recorded
 * once; an answer from an organisation the request did not go to, or to a request no longer open,
 * is not recorded, and the refusal is (message.refused).
 */
@Controller()
export class InformationAnswerHandler {
  private readonly logger = new Logger(InformationAnswerHandler.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly requests: InformationRequests,
    private readonly origin: IntakeOrigin,
    private readonly audit: AuditTrail,
  ) {}

  @EventPattern<string>(MessagePatterns.informationAnswered)
  async onAnswer(@Payload() payload: unknown, @Ctx() context: QueueContext): Promise<void> {
    const fields = payload && typeof payload === 'object' ? (payload as Record<string, unknown>) : {};
    await this.origin.check(context.getJob(), fields.adapterAgency, fields);
    let answer: InformationAnswer;
    try {
      answer = await validateMessage(InformationAnswer, payload, 'information answer');
    } catch (error) {
      if (error instanceof InvalidMessageError) throw new PermanentMessageError(error.message, error.errors);
      throw error;
    }
    const outcome = await this.requests.answer(answer);
    if (outcome === 'unknown' || outcome === 'not_open') {
      // The adapter checks both before it takes an answer; this is a race with a withdrawal, or a bad adapter.
      await this.dataSource.transaction((manager) =>
        this.audit.record(manager, {
          actor: { type: 'agency_system', id: answer.credentialId, onBehalfOf: answer.adapterAgency },
          action: 'message.refused',
          purpose: 'information request',
          details: {
            pattern: MessagePatterns.informationAnswered,
            jobId: context.getJob().id ?? null,
            requestId: answer.requestId,
            answerId: answer.answerId,
            organisation: answer.organisation,
            reason: outcome === 'unknown' ? 'not_the_recipient' : 'request_not_open',
          },
        }),
      );
    }
    this.logger.log({ message: 'information answer handled', outcome, requestId: answer.requestId, answerId: answer.answerId, organisation: answer.organisation, jobId: context.getJob().id });
  }
}
