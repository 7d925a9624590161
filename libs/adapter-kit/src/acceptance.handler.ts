import { Controller, Inject, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { MessagePatterns, NotificationAccepted, type Agency } from '#contracts';
import { PermanentMessageError, QueueContext } from '#queue-transport';
import { deliveryMessageId, postToInbox, readHubMessage } from './inbox-posting.js';
import { InboxPushes } from './inbox-push.js';
import { PartnerInbox } from './inbox.js';
import { ReceiptBook } from './receipt-book.js';
import { ADAPTER_AGENCY } from './tokens.js';

/**
 * The hub's word that a notification is stored: recorded on the receipt the
 * partner can read, and put in the sending organisation's inbox, where the
 * partner learns the outcome, and pushed to its endpoint if it registered one.
 * All are idempotent, so a redelivery changes nothing.
 */
@Controller()
export class AcceptanceHandler {
  private readonly logger = new Logger(AcceptanceHandler.name);

  constructor(
    @Inject(ADAPTER_AGENCY) private readonly agency: Agency,
    private readonly receipts: ReceiptBook,
    private readonly inbox: PartnerInbox,
    private readonly pushes: InboxPushes,
  ) {}

  // <string> picks Nest's untyped overload, so the context parameter can be typed.
  @EventPattern<string>(MessagePatterns.notificationAccepted)
  async onAccepted(@Payload() payload: unknown, @Ctx() context: QueueContext): Promise<void> {
    const accepted = await readHubMessage(NotificationAccepted, payload, 'notification acceptance');
    if (accepted.sourceAgency !== this.agency) {
      throw new PermanentMessageError(`acceptance for ${accepted.sourceAgency} delivered to the ${this.agency} adapter`);
    }
    const job = context.getJob();
    // Checked before the receipt changes: a delivery that is not the hub's outbox message changes nothing.
    deliveryMessageId(job, MessagePatterns.notificationAccepted);
    await this.receipts.markAccepted(accepted.notificationId, accepted);
    const { put, pushQueued } = await postToInbox(this.inbox, this.pushes, job, {
      organisation: accepted.sourceOrganisation,
      kind: MessagePatterns.notificationAccepted,
      correlationId: accepted.correlationId,
      body: { ...accepted },
    });
    this.logger.log({
      message: put ? 'notification accepted by the hub; put in the inbox' : 'notification accepted by the hub; already in the inbox',
      notificationId: accepted.notificationId,
      sourceOrganisation: accepted.sourceOrganisation,
      pushQueued,
      jobId: job.id,
    });
  }
}
