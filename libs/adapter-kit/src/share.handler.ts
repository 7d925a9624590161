import { Controller, Inject, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { InformationShared, MessagePatterns, shareInboxKind, type Agency } from '#contracts';
import { PermanentMessageError, QueueContext } from '#queue-transport';
import { postToInbox, readHubMessage } from './inbox-posting.js';
import { InboxPushes } from './inbox-push.js';
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
  ) {}

  @EventPattern<string>(MessagePatterns.informationShared)
  async onShared(@Payload() payload: unknown, @Ctx() context: QueueContext): Promise<void> {
    const shared = await readHubMessage(InformationShared, payload, 'shared information');
    if (shared.recipientAgency !== this.agency) {
      throw new PermanentMessageError(`a share for ${shared.recipientAgency} delivered to the ${this.agency} adapter`);
    }
    const job = context.getJob();
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
