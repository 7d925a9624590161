import { InboxActivityReports } from './inbox-activity.js';
import { PartnerInbox, type InboxPage } from './inbox.js';
import type { PartnerSystem } from './partner-access.js';

/**
 * Gives a partner system its organisation's inbox, whatever format the
 * adapter answers in: the first listing of each message and its
 * acknowledgement are reported to the hub's audit trail before the answer.
 */
export class InboxDelivery {
  constructor(
    private readonly inbox: PartnerInbox,
    private readonly activity: InboxActivityReports,
  ) {}

  /**
   * Unacknowledged messages, oldest first. With `kinds`, only messages of those kinds are
   * given (and reported): the page may then hold fewer than `limit`, and `next` still leads on.
   * Throws UnknownInboxCursorError for an `after` that is not a message of the organisation's inbox.
   */
  async list(partner: PartnerSystem, query: { after?: string; limit: number; kinds?: readonly string[] }): Promise<InboxPage> {
    const page = await this.inbox.page(partner.organisation, { after: query.after, limit: query.limit });
    const items = query.kinds ? page.items.filter((message) => query.kinds!.includes(message.kind)) : page.items;
    const firstDelivered = items.filter((message) => !message.deliveredAt);
    if (firstDelivered.length) {
      const now = new Date();
      await this.activity.report('delivered', partner, firstDelivered, now);
      await this.inbox.markDelivered(partner.organisation, firstDelivered.map((message) => message.messageId), now);
    }
    return { items, next: page.next };
  }

  /**
   * Acknowledges a message of the organisation's inbox (of one of `kinds`, if given): when it was
   * first acknowledged, the same however often this is called; null when the organisation has no
   * such message.
   */
  async acknowledge(partner: PartnerSystem, messageId: string, kinds?: readonly string[]): Promise<{ acknowledgedAt: string } | null> {
    const message = await this.inbox.get(partner.organisation, messageId);
    if (!message || (kinds && !kinds.includes(message.kind))) return null;
    if (message.acknowledgedAt) return { acknowledgedAt: message.acknowledgedAt };
    const now = new Date();
    // Reported first: an acknowledgement that reached the trail but not Redis is made again by the partner's retry.
    await this.activity.report('acknowledged', partner, [message], now);
    const acknowledgedAt = await this.inbox.acknowledge(partner.organisation, messageId, now);
    return acknowledgedAt ? { acknowledgedAt } : null;
  }
}
