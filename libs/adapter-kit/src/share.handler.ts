import { Controller, Inject, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { InformationShared, InvalidMessageError, MessagePatterns, isUuidText, shareInboxKind, validateMessage, type Agency } from '#contracts';
import { PermanentMessageError, QueueContext } from '#queue-transport';
import { InboxPushes } from './inbox-push.js';
import { ReceivedRequests } from './information-requests.js';
import { PartnerInbox } from './inbox.js';
import { ADAPTER_AGENCY } from './tokens.js';

/**
 * Information the hub shared with an organisation of this agency, after the sharing decision allowed
 * it: put in that organisation's inbox (kind `share.<purpose>`), and pushed to its endpoint if it
 * registered one. Idempotent, so a redelivery changes nothing.
 */
@Controller()
export class ShareHandler {
  private readonly logger = new Logger(ShareHandler.name);

  constructor(
    @Inject(ADAPTER_AGENCY) private readonly agency: Agency,
    private readonly inbox: PartnerInbox,
    private readonly pushes: InboxPushes,
    private readonly requests: ReceivedRequests,
  ) {}

  @EventPattern<string>(MessagePatterns.informationShared)
  async onShared(@Payload() payload: unknown, @Ctx() context: QueueContext): Promise<void> {
    let shared: InformationShared;
    try {
      shared = await validateMessage(InformationShared, payload, 'shared information');
    } catch (error) {
      if (error instanceof InvalidMessageError) throw new PermanentMessageError(error.message, error.errors);
      throw error;
    }
    if (shared.recipientAgency !== this.agency) {
      throw new PermanentMessageError(`a share for ${shared.recipientAgency} delivered to the ${this.agency} adapter`);
    }
    const job = context.getJob();
    if (!isUuidText(job.id)) throw new PermanentMessageError(`a share delivered under job id ${JSON.stringify(job.id)}, not an outbox id`);
    const messageId = job.id.toLowerCase();
    const requestId = shared.payload['request.id'];
    // An information request is answered by its id: the organisation's inbox must know it before the partner can see it.
    if (shared.purpose === 'information_request' && isUuidText(requestId)) {
      const dueAt = shared.payload['request.dueAt'];
      await this.requests.received(shared.recipientOrganisation, {
        requestId: requestId.toLowerCase(),
        messageId,
        shareId: shared.shareId,
        ...(typeof dueAt === 'string' && { dueAt }),
      });
    }
    const put = await this.inbox.put(shared.recipientOrganisation, {
      messageId,
      kind: shareInboxKind(shared.purpose),
      correlationId: shared.correlationId,
      createdAt: new Date(job.timestamp).toISOString(),
      body: { ...shared },
    });
    const pushQueued = await this.pushes.offer(shared.recipientOrganisation, messageId);
    this.logger.log({
      message: put ? 'shared information put in the inbox' : 'shared information already in the inbox',
      shareId: shared.shareId,
      purpose: shared.purpose,
      recipientOrganisation: shared.recipientOrganisation,
      pushQueued,
      jobId: job.id,
    });
  }
}
