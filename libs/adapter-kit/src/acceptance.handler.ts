import { Controller, Inject, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { InvalidMessageError, MessagePatterns, NotificationAccepted, validateMessage, type Agency } from '#contracts';
import { PermanentMessageError, QueueContext } from '#queue-transport';
import { ReceiptBook } from './receipt-book.js';
import { ADAPTER_AGENCY } from './tokens.js';

/** The hub's word that a notification is stored: recorded on the receipt the partner can read. */
@Controller()
export class AcceptanceHandler {
  private readonly logger = new Logger(AcceptanceHandler.name);

  constructor(
    @Inject(ADAPTER_AGENCY) private readonly agency: Agency,
    private readonly receipts: ReceiptBook,
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
    await this.receipts.markAccepted(accepted.notificationId, accepted);
    this.logger.log({ message: 'notification accepted by the hub', notificationId: accepted.notificationId, jobId: context.getJob().id });
  }
}
