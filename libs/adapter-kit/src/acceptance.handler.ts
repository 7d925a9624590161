import { Controller, Inject, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { InvalidMessageError, MessagePatterns, NotificationAccepted, isUuidText, validateMessage, type Agency } from '#contracts';
import { PermanentMessageError, QueueContext } from '#queue-transport';
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
    let accepted: NotificationAccepted;
    try {
      accepted = await validateMessage(NotificationAccepted, payload, 'notification acceptance');
    } catch (error) {
      if (error instanceof InvalidMessageError) throw new PermanentMessageError(error.message, error.errors);
      throw error;
    }
    if (accepted.sourceAgency !== this.agency) {
      throw new PermanentMessageError(`acceptance for ${accepted.sourceAgency} delivered to the ${this.agency} adapter`);
    }
    const job = context.getJob();
    // The hub's outbox id is the job id: the inbox's message id, the same on every redelivery.
    if (!isUuidText(job.id)) throw new PermanentMessageError(`acceptance delivered under job id ${JSON.stringify(job.id)}, not an outbox id`);
    await this.receipts.markAccepted(accepted.notificationId, accepted);
    const messageId = job.id.toLowerCase();
    const put = await this.inbox.put(accepted.sourceOrganisation, {
      messageId,
      kind: MessagePatterns.notificationAccepted,
      correlationId: accepted.correlationId,
      createdAt: new Date(job.timestamp).toISOString(),
      body: { ...accepted },
    });
    // Offered on a redelivery too: the push may not have been queued before a crash.
    const pushQueued = await this.pushes.offer(accepted.sourceOrganisation, messageId);
    this.logger.log({
      message: put ? 'notification accepted by the hub; put in the inbox' : 'notification accepted by the hub; already in the inbox',
      notificationId: accepted.notificationId,
      sourceOrganisation: accepted.sourceOrganisation,
      pushQueued,
      jobId: job.id,
    });
  }
}
