import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { InvalidMessageError, MessagePatterns, readNotification, type SafeguardingNotification } from '#contracts';
import { PermanentMessageError, QueueContext } from '#queue-transport';
import { IntakeOrigin } from './intake-origin.js';
import { IntakeBatches } from './intake-batches.js';

/** Consumes partners' notifications from the agencies' intake queues. */
@Controller()
export class NotificationIntakeHandler {
  private readonly logger = new Logger(NotificationIntakeHandler.name);

  constructor(
    private readonly intake: IntakeBatches,
    private readonly origin: IntakeOrigin,
  ) {}

  // <string> picks Nest's untyped overload, so the context parameter can be typed.
  @EventPattern<string>(MessagePatterns.notificationReceived)
  async onNotificationReceived(@Payload() payload: unknown, @Ctx() context: QueueContext): Promise<void> {
    // Origin first: a message from the wrong queue is refused and recorded even if it is also invalid.
    const fields = payload && typeof payload === 'object' ? (payload as Record<string, unknown>) : {};
    await this.origin.check(context.getJob(), fields.sourceAgency, fields);
    const message = await this.validate(payload);
    const outcome = await this.intake.receive(message);
    this.logger.log({
      message: outcome.duplicate ? 'notification already stored' : 'notification stored',
      notificationId: outcome.notificationId,
      correlationId: message.correlationId,
      jobId: context.getJob().id,
      attempt: context.getAttempt(),
    });
  }

  /** The queue is an edge too: a message that can never be valid is not retried. */
  private async validate(payload: unknown): Promise<SafeguardingNotification> {
    try {
      // Either version; a version 1 message still in a queue is upgraded to the current one.
      return await readNotification(payload);
    } catch (error) {
      if (error instanceof InvalidMessageError) throw new PermanentMessageError(error.message, error.errors);
      throw error;
    }
  }
}
