import type { Redis } from 'ioredis';
import type { Agency } from '#contracts';

export type ReceiptStatus = 'pending' | 'queued' | 'accepted';

/** What the adapter remembers of a partner's submission. Ids and references only, no personal data. */
export interface Receipt {
  notificationId: string;
  correlationId: string;
  partnerReference: string;
  fingerprint: string;
  status: ReceiptStatus;
  receivedAt: string;
  acceptedAt?: string;
  contactIds?: string[];
}

// Creates the receipt unless one exists: 1 if created, 0 if not.
const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1`;

// pending -> queued only: the hub's acceptance may already have arrived.
const MARK_QUEUED = `
if redis.call('HGET', KEYS[1], 'status') == 'pending' then
  redis.call('HSET', KEYS[1], 'status', 'queued')
end
return 1`;

/**
 * Receipts live in Redis beside the queue (AOF, noeviction), keyed by the
 * deterministic notification id: the adapter needs no database of its own.
 */
export class ReceiptBook {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly agency: Agency,
    private readonly retentionSeconds: number,
  ) {}

  private key(notificationId: string): string {
    return `${this.prefix}:receipt:${this.agency}:${notificationId}`;
  }

  async get(notificationId: string): Promise<Receipt | null> {
    const fields = await this.redis.hgetall(this.key(notificationId));
    if (!fields.notificationId) return null;
    return {
      notificationId: fields.notificationId,
      correlationId: fields.correlationId,
      partnerReference: fields.partnerReference,
      fingerprint: fields.fingerprint,
      status: fields.status as ReceiptStatus,
      receivedAt: fields.receivedAt,
      ...(fields.acceptedAt && { acceptedAt: fields.acceptedAt }),
      ...(fields.contactIds && { contactIds: JSON.parse(fields.contactIds) as string[] }),
    };
  }

  /** Writes the receipt only if none exists; false when another submission got there first. */
  async create(receipt: Receipt): Promise<boolean> {
    const fields = Object.entries(receipt).flatMap(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]);
    const created = await this.redis.eval(CREATE, 1, this.key(receipt.notificationId), this.retentionSeconds, ...fields);
    return created === 1;
  }

  async markQueued(notificationId: string): Promise<void> {
    await this.redis.eval(MARK_QUEUED, 1, this.key(notificationId));
  }

  /** The hub stored the notification. Recorded even if the receipt has expired, so the partner can still ask. */
  async markAccepted(notificationId: string, acceptance: { partnerReference: string; correlationId: string; acceptedAt: string; contactIds: string[] }): Promise<void> {
    const key = this.key(notificationId);
    await this.redis
      .multi()
      .hset(key, {
        notificationId,
        partnerReference: acceptance.partnerReference,
        correlationId: acceptance.correlationId,
        status: 'accepted',
        acceptedAt: acceptance.acceptedAt,
        contactIds: JSON.stringify(acceptance.contactIds),
      })
      .expire(key, this.retentionSeconds)
      .exec();
  }
}
