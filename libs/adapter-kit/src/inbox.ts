import type { Redis } from 'ioredis';
import type { Agency } from '#contracts';

/** A message from the hub to one organisation, as its inbox keeps it. */
export interface InboxMessage {
  /** The hub's outbox id (the delivery's job id): one message, however often it is delivered. */
  messageId: string;
  /** The delivery's message pattern, e.g. notification.accepted. */
  kind: string;
  correlationId: string;
  /** When the hub sent it. */
  createdAt: string;
  body: Record<string, unknown>;
}

export interface StoredInboxMessage extends InboxMessage {
  /** When a system of the organisation was first given it (GET /inbox); absent until then. */
  deliveredAt?: string;
  /** When the organisation's registered endpoint first answered 2xx to its push; absent until then. */
  pushedAt?: string;
  acknowledgedAt?: string;
}

export interface InboxPage {
  items: StoredInboxMessage[];
  /** The last item's id when more may follow: pass it as `after`. Null on the last page. */
  next: string | null;
}

/** `after` names no message of the organisation's inbox (an unknown id, or another organisation's). */
export class UnknownInboxCursorError extends Error {}

// Puts a message in the inbox unless it is there (or was, and is still kept acknowledged): 1 if put, 0 if not.
// KEYS: message hash, unacknowledged set, sequence. ARGV: messageId, then the hash's fields.
const PUT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local sequence = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[1], 'sequence', sequence, unpack(ARGV, 2))
redis.call('ZADD', KEYS[2], sequence, ARGV[1])
return 1`;

// Records the first delivery of each message still in the inbox; a later one changes nothing.
// KEYS: the messages' hashes. ARGV[1]: when.
const MARK_DELIVERED = `
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then redis.call('HSETNX', key, 'deliveredAt', ARGV[1]) end
end
return 1`;

// Records the first successful push of a message still in the inbox. KEYS: the message's hash. ARGV[1]: when.
const MARK_PUSHED = `
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSETNX', KEYS[1], 'pushedAt', ARGV[1]) end
return 1`;

// Acknowledges once: takes the message out of the unacknowledged set and keeps it for the retention period.
// Returns the acknowledgedAt that stands (the first), or false when there is no such message.
// KEYS: message hash, unacknowledged set. ARGV: messageId, when, retention seconds.
const ACKNOWLEDGE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local acknowledged = redis.call('HGET', KEYS[1], 'acknowledgedAt')
if acknowledged then return acknowledged end
redis.call('HSET', KEYS[1], 'acknowledgedAt', ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return ARGV[2]`;

/**
 * Each organisation's inbox: what the hub sends it (acknowledgements,
 * information requests and outcomes), kept in Redis beside the receipts
 * (AOF, noeviction) under the agency's own key space:
 *
 *   <prefix>:inbox:<agency>:<organisation>:message:<id>    hash: the message, its sequence, deliveredAt, pushedAt, acknowledgedAt
 *   <prefix>:inbox:<agency>:<organisation>:unacknowledged  sorted set of ids by sequence (arrival order)
 *   <prefix>:inbox:<agency>:<organisation>:sequence        the organisation's arrival counter
 *
 * A message stays until it is acknowledged, then for the retention period (so
 * a late redelivery still finds it and adds nothing). One organisation's
 * systems cannot reach another's messages: every lookup is under their own
 * organisation's keys.
 */
export class PartnerInbox {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly agency: Agency,
    private readonly retentionSeconds: number,
  ) {}

  private base(organisation: string): string {
    return `${this.prefix}:inbox:${this.agency}:${organisation}`;
  }

  private messageKey(organisation: string, messageId: string): string {
    return `${this.base(organisation)}:message:${messageId}`;
  }

  private unacknowledgedKey(organisation: string): string {
    return `${this.base(organisation)}:unacknowledged`;
  }

  /** Puts a message in the organisation's inbox; false when it was already there (a redelivery). */
  async put(organisation: string, message: InboxMessage): Promise<boolean> {
    const put = await this.redis.eval(
      PUT,
      3,
      this.messageKey(organisation, message.messageId),
      this.unacknowledgedKey(organisation),
      `${this.base(organisation)}:sequence`,
      message.messageId,
      'messageId',
      message.messageId,
      'kind',
      message.kind,
      'correlationId',
      message.correlationId,
      'createdAt',
      message.createdAt,
      'body',
      JSON.stringify(message.body),
    );
    return put === 1;
  }

  async get(organisation: string, messageId: string): Promise<StoredInboxMessage | null> {
    return toMessage(await this.redis.hgetall(this.messageKey(organisation, messageId)));
  }

  /** Unacknowledged messages, oldest first, from just after `after` (a message id of this organisation's inbox). */
  async page(organisation: string, { after, limit }: { after?: string; limit: number }): Promise<InboxPage> {
    let from = '-inf';
    if (after) {
      const sequence = await this.redis.hget(this.messageKey(organisation, after), 'sequence');
      if (!sequence) throw new UnknownInboxCursorError(`after must be the previous page's next: there is no message ${after} in your inbox`);
      from = `(${sequence}`;
    }
    const ids = await this.redis.zrangebyscore(this.unacknowledgedKey(organisation), from, '+inf', 'LIMIT', 0, limit + 1);
    const onPage = ids.slice(0, limit);
    const read = onPage.length ? ((await onPage.reduce((multi, id) => multi.hgetall(this.messageKey(organisation, id)), this.redis.multi()).exec()) ?? []) : [];
    const items = read.flatMap(([error, fields]) => {
      if (error) throw error;
      const message = toMessage(fields as Record<string, string>);
      // Acknowledged between the two reads: no longer the organisation's to act on.
      return message && !message.acknowledgedAt ? [message] : [];
    });
    return { items, next: ids.length > limit ? onPage[onPage.length - 1] : null };
  }

  /** Records that the organisation's systems have been given these messages; only the first time counts. */
  async markDelivered(organisation: string, messageIds: string[], at: Date): Promise<void> {
    if (!messageIds.length) return;
    await this.redis.eval(MARK_DELIVERED, messageIds.length, ...messageIds.map((id) => this.messageKey(organisation, id)), at.toISOString());
  }

  /** Records that the organisation's endpoint took the message; only the first time counts. */
  async markPushed(organisation: string, messageId: string, at: Date): Promise<void> {
    await this.redis.eval(MARK_PUSHED, 1, this.messageKey(organisation, messageId), at.toISOString());
  }

  /**
   * Acknowledges a message of the organisation's inbox: it leaves the inbox and is kept for the
   * retention period. Returns when it was acknowledged (the first time, however often this is
   * called), or null when the organisation has no such message.
   */
  async acknowledge(organisation: string, messageId: string, at: Date): Promise<string | null> {
    const acknowledgedAt = await this.redis.eval(
      ACKNOWLEDGE,
      2,
      this.messageKey(organisation, messageId),
      this.unacknowledgedKey(organisation),
      messageId,
      at.toISOString(),
      this.retentionSeconds,
    );
    return typeof acknowledgedAt === 'string' ? acknowledgedAt : null;
  }
}

function toMessage(fields: Record<string, string>): StoredInboxMessage | null {
  if (!fields.messageId) return null;
  return {
    messageId: fields.messageId,
    kind: fields.kind,
    correlationId: fields.correlationId,
    createdAt: fields.createdAt,
    body: JSON.parse(fields.body) as Record<string, unknown>,
    ...(fields.deliveredAt && { deliveredAt: fields.deliveredAt }),
    ...(fields.pushedAt && { pushedAt: fields.pushedAt }),
    ...(fields.acknowledgedAt && { acknowledgedAt: fields.acknowledgedAt }),
  };
}

/** A message as a partner sees it, in GET /inbox and in a push: without the inbox's own bookkeeping. */
export function inboxItem({ messageId, kind, correlationId, createdAt, body }: InboxMessage): InboxMessage {
  return { messageId, kind, correlationId, createdAt, body };
}
