import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Agency } from '#contracts';

export type ReceiptStatus = 'pending' | 'queued' | 'accepted';

/** What the adapter remembers of a partner's submission. Ids, codes and references only, no personal data. */
export interface Receipt {
  notificationId: string;
  correlationId: string;
  /** The sending organisation inside the agency; only its systems may read the receipt. */
  organisation: string;
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

// Replaces a receipt only while it is still pending with the fingerprint the caller read: 1 if replaced, 0 if not.
// A concurrent resend that replaced it first, or the publish that queued it, makes this one lose.
const REPLACE_PENDING = `
if redis.call('HGET', KEYS[1], 'status') ~= 'pending' then return 0 end
if redis.call('HGET', KEYS[1], 'fingerprint') ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1`;

// pending -> queued only: the hub's acceptance may already have arrived.
const MARK_QUEUED = `
if redis.call('HGET', KEYS[1], 'status') == 'pending' then
  redis.call('HSET', KEYS[1], 'status', 'queued')
end
return 1`;

// Releases the submission lock only if it is still ours (it may have expired and been taken by another request).
const UNLOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** How long one request may hold a reference's submission lock: longer than any publish that succeeds. */
const SUBMISSION_LOCK_MS = 30_000;
/** How long another request for the same reference waits for it. */
const SUBMISSION_LOCK_WAIT_MS = 10_000;

export class SubmissionBusyError extends Error {}

/**
 * Receipts live in Redis beside the queue (AOF, noeviction), keyed by agency,
 * sending organisation and the deterministic notification id: the adapter
 * needs no database of its own, and a system of one organisation cannot even
 * look up another's receipt.
 */
export class ReceiptBook {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly agency: Agency,
    private readonly retentionSeconds: number,
  ) {}

  private key(organisation: string, notificationId: string): string {
    return `${this.prefix}:receipt:${this.agency}:${organisation}:${notificationId}`;
  }

  /**
   * Runs `work` while no other request works on the same notification: deciding what a submission
   * is and publishing it are one step, so a resend cannot replace a receipt whose publish is still
   * in flight. Waits for another holder; throws SubmissionBusyError if it does not finish in time.
   */
  async exclusively<T>(organisation: string, notificationId: string, work: () => Promise<T>): Promise<T> {
    const lock = `${this.key(organisation, notificationId)}:lock`;
    const token = randomUUID();
    const giveUpAt = Date.now() + SUBMISSION_LOCK_WAIT_MS;
    while ((await this.redis.set(lock, token, 'PX', SUBMISSION_LOCK_MS, 'NX')) !== 'OK') {
      if (Date.now() >= giveUpAt) throw new SubmissionBusyError(`notification ${notificationId} is being submitted by another request`);
      await delay(50);
    }
    try {
      return await work();
    } finally {
      await this.redis.eval(UNLOCK, 1, lock, token);
    }
  }

  async get(organisation: string, notificationId: string): Promise<Receipt | null> {
    const fields = await this.redis.hgetall(this.key(organisation, notificationId));
    if (!fields.notificationId) return null;
    return {
      notificationId: fields.notificationId,
      correlationId: fields.correlationId,
      organisation,
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
    const created = await this.redis.eval(
      CREATE,
      1,
      this.key(receipt.organisation, receipt.notificationId),
      this.retentionSeconds,
      ...fieldsOf(receipt),
    );
    return created === 1;
  }

  /**
   * Replaces a pending receipt (nothing was queued for it) with a corrected submission's, only if it
   * still has the fingerprint the caller read; false when another request changed it first.
   */
  async replacePending(expectedFingerprint: string, receipt: Receipt): Promise<boolean> {
    const replaced = await this.redis.eval(
      REPLACE_PENDING,
      1,
      this.key(receipt.organisation, receipt.notificationId),
      this.retentionSeconds,
      expectedFingerprint,
      ...fieldsOf(receipt),
    );
    return replaced === 1;
  }

  async markQueued(organisation: string, notificationId: string): Promise<void> {
    await this.redis.eval(MARK_QUEUED, 1, this.key(organisation, notificationId));
  }

  /** The hub stored the notification. Recorded even if the receipt has expired, so the partner can still ask. */
  async markAccepted(
    notificationId: string,
    acceptance: { sourceOrganisation: string; partnerReference: string; correlationId: string; acceptedAt: string; contactIds: string[] },
  ): Promise<void> {
    const key = this.key(acceptance.sourceOrganisation, notificationId);
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

function fieldsOf(receipt: Receipt): string[] {
  // The organisation is in the key.
  const { organisation: _inKey, ...fields } = receipt;
  return Object.entries(fields).flatMap(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]);
}
