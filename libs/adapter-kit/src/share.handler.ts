import { Controller, Inject, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { InformationShared, MessagePatterns, isUuidText, shareInboxKind, type Agency } from '#contracts';
import { PermanentMessageError, QueueContext } from '#queue-transport';
import { deliveryMessageId, postToInbox, readHubMessage } from './inbox-posting.js';
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
    const shared = await readHubMessage(InformationShared, payload, 'shared information');
    if (shared.recipientAgency !== this.agency) {
      throw new PermanentMessageError(`a share for ${shared.recipientAgency} delivered to the ${this.agency} adapter`);
    }
    const job = context.getJob();
    const messageId = deliveryMessageId(job, shareInboxKind(shared.purpose));
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
    const { put, pushQueued } = await postToInbox(this.inbox, this.pushes, job, {
      organisation: shared.recipientOrganisation,
      kind: shareInboxKind(shared.purpose),
      correlationId: shared.correlationId,
      body: { ...shared },
    });
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
