import { Body, Controller, HttpCode, Inject, Logger, Param, Post } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiParam,
  ApiProperty,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import {
  INFORMATION_ANSWER_MAX_LENGTH,
  INFORMATION_REQUEST_WITHDRAWN_KIND,
  InformationRequestWithdrawn,
  InvalidMessageError,
  MessagePatterns,
  isUuidText,
  validateMessage,
  type Agency,
} from '#contracts';
import { CanonicalUuidPipe } from '#platform';
import { PermanentMessageError, QueueContext } from '#queue-transport';
import { InboxPushes } from './inbox-push.js';
import { PartnerInbox } from './inbox.js';
import { InformationAnswers, ReceivedRequests, type AnswerReceipt } from './information-requests.js';
import { CurrentPartnerSystem, PartnerRoute, type PartnerSystem } from './partner-access.js';
import { ADAPTER_AGENCY } from './tokens.js';

export class AnswerInput {
  @ApiProperty({ minLength: 1, maxLength: INFORMATION_ANSWER_MAX_LENGTH, description: 'What your organisation holds, in answer to the question' })
  @IsString()
  @Length(1, INFORMATION_ANSWER_MAX_LENGTH, { message: `$property must be 1 to ${INFORMATION_ANSWER_MAX_LENGTH} characters` })
  @Matches(/\S/, { message: '$property must say something' })
  answer!: string;
}

export class AnswerReceiptView implements AnswerReceipt {
  @ApiProperty({ format: 'uuid' }) requestId!: string;
  @ApiProperty({ format: 'uuid', description: 'The answer’s id: the same answer sent again keeps it' }) answerId!: string;
  @ApiProperty({ enum: ['queued'], description: 'Safe with the hub: it will not be lost' }) status!: 'queued';
  @ApiProperty({ format: 'date-time', description: 'When the answer was first taken' }) answeredAt!: string;
  @ApiProperty({ description: 'True when this answer was already taken; nothing new was queued' }) duplicate!: boolean;
}

/**
 * The MASH's information requests to an organisation: it answers each by the id it received
 * (`request.id` in the `share.information_request` message of its inbox). Only the organisation the
 * request went to can answer it; another's is not found, exactly like an unknown id.
 */
@ApiTags('information requests')
@Controller('information-requests')
export class InformationRequestsController {
  constructor(private readonly answers: InformationAnswers) {}

  @Post(':id/answer')
  @PartnerRoute()
  @HttpCode(202)
  @ApiOperation({ summary: "Answer an information request from your organisation's inbox. One answer per request; the same answer again is recognised as a duplicate" })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The request id: request.id in the payload of the share.information_request inbox message' })
  @ApiAcceptedResponse({ type: AnswerReceiptView, description: 'Safe with the hub: it will not be lost' })
  @ApiBadRequestResponse({ description: 'Every problem with the body, by field; nothing was queued' })
  @ApiNotFoundResponse({ description: "No such request in your organisation's inbox (another organisation's is not shown)" })
  @ApiConflictResponse({ description: 'The MASH withdrew the request, or it is already answered with a different answer' })
  @ApiServiceUnavailableResponse({ description: 'The MASH message store is not answering; send the answer again shortly' })
  answer(@Param('id', CanonicalUuidPipe) id: string, @Body() input: AnswerInput, @CurrentPartnerSystem() partner: PartnerSystem): Promise<AnswerReceiptView> {
    return this.answers.answer(partner, id, input.answer);
  }
}

/**
 * The hub withdrew a request: the organisation's adapter stops taking answers to it and puts the
 * notice in its inbox (kind information_request.withdrawn). Idempotent, so a redelivery changes nothing.
 */
@Controller()
export class InformationRequestWithdrawnHandler {
  private readonly logger = new Logger(InformationRequestWithdrawnHandler.name);

  constructor(
    @Inject(ADAPTER_AGENCY) private readonly agency: Agency,
    private readonly requests: ReceivedRequests,
    private readonly inbox: PartnerInbox,
    private readonly pushes: InboxPushes,
  ) {}

  @EventPattern<string>(MessagePatterns.informationRequestWithdrawn)
  async onWithdrawn(@Payload() payload: unknown, @Ctx() context: QueueContext): Promise<void> {
    let withdrawn: InformationRequestWithdrawn;
    try {
      withdrawn = await validateMessage(InformationRequestWithdrawn, payload, 'withdrawn information request');
    } catch (error) {
      if (error instanceof InvalidMessageError) throw new PermanentMessageError(error.message, error.errors);
      throw error;
    }
    if (withdrawn.recipientAgency !== this.agency) {
      throw new PermanentMessageError(`a withdrawal for ${withdrawn.recipientAgency} delivered to the ${this.agency} adapter`);
    }
    const job = context.getJob();
    if (!isUuidText(job.id)) throw new PermanentMessageError(`a withdrawal delivered under job id ${JSON.stringify(job.id)}, not an outbox id`);
    const messageId = job.id.toLowerCase();
    const organisation = withdrawn.recipientOrganisation;
    // Answers stop first: the notice in the inbox must never precede it.
    await this.requests.withdrawn(organisation, withdrawn.requestId.toLowerCase(), withdrawn.withdrawnAt);
    const put = await this.inbox.put(organisation, {
      messageId,
      kind: INFORMATION_REQUEST_WITHDRAWN_KIND,
      correlationId: withdrawn.correlationId,
      createdAt: new Date(job.timestamp).toISOString(),
      body: { ...withdrawn },
    });
    const pushQueued = await this.pushes.offer(organisation, messageId);
    this.logger.log({ message: put ? 'withdrawal put in the inbox' : 'withdrawal already in the inbox', requestId: withdrawn.requestId, organisation, pushQueued, jobId: job.id });
  }
}
