import { randomUUID } from 'node:crypto';
import { lastValueFrom } from 'rxjs';
import { MessagePatterns, type Agency, type InboxActivity, type InboxEvent } from '#contracts';
import { QueueRecord, type QueueClient } from '#queue-transport';
import type { PartnerSystem } from './partner-access.js';
import type { StoredInboxMessage } from './inbox.js';

/**
 * Tells the hub, on this adapter's intake queue, that a partner system was
 * given messages from its organisation's inbox or acknowledged one, for the
 * audit trail. Reported before the partner sees the answer: nothing is shown
 * that is not on its way to the trail. Ids and kinds only, never a body.
 */
export class InboxActivityReports {
  constructor(
    private readonly agency: Agency,
    private readonly hub: QueueClient,
  ) {}

  async report(event: InboxEvent, partner: PartnerSystem, messages: StoredInboxMessage[], at: Date): Promise<void> {
    await this.send(event, partner.organisation, partner.credentialId, messages, at);
  }

  /** The organisation's registered endpoint took the message: a delivery by the adapter, with no credential. */
  async reportPushed(organisation: string, message: StoredInboxMessage, at: Date): Promise<void> {
    await this.send('delivered', organisation, null, [message], at);
  }

  private async send(event: InboxEvent, organisation: string, credentialId: string | null, messages: StoredInboxMessage[], at: Date): Promise<void> {
    if (!messages.length) return;
    const activity: InboxActivity = {
      activityId: randomUUID(),
      adapterAgency: this.agency,
      organisation,
      credentialId,
      ...(credentialId === null && { channel: 'push' as const }),
      event,
      messages: messages.map(({ messageId, kind, correlationId }) => ({ messageId, kind, correlationId })),
      occurredAt: at.toISOString(),
    };
    // Removed from Redis as soon as the hub has recorded it; the hub records each message's event once, however often it is reported.
    await lastValueFrom(
      this.hub.emit(MessagePatterns.inboxActivity, new QueueRecord(activity, { jobId: activity.activityId, keepCompletedForSeconds: 0 })),
      { defaultValue: undefined },
    );
  }
}
