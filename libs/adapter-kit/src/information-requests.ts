import { ConflictException, NotFoundException } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { lastValueFrom } from 'rxjs';
import { MessagePatterns, type Agency, type InformationAnswer } from '#contracts';
import { QueueRecord, type QueueClient } from '#queue-transport';
import type { InboxDelivery } from './inbox-delivery.js';
import type { PartnerSystem } from './partner-access.js';

/** An information request as the organisation's inbox knows it. */
export interface ReceivedRequest {
  requestId: string;
  /** The inbox message that carried it (absent if only its withdrawal arrived). */
  messageId?: string;
  shareId?: string;
  dueAt?: string;
  withdrawnAt?: string;
  answerId?: string;
  answeredAt?: string;
  /** When the answer was safe on the hub's queue. */
  answerQueuedAt?: string;
}

// Records a request carried by an inbox message; a redelivery (or an earlier withdrawal) keeps what is there.
// KEYS: the request's hash. ARGV: field, value pairs.
const RECEIVED = `
for i = 1, #ARGV, 2 do redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1`;

// Marks the request withdrawn (the first time counts) and keeps it for the retention period.
// KEYS: the request's hash. ARGV: requestId, when, retention seconds.
const WITHDRAWN = `
redis.call('HSETNX', KEYS[1], 'requestId', ARGV[1])
redis.call('HSETNX', KEYS[1], 'withdrawnAt', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1`;

// Claims the request's one answer: 'unknown', 'withdrawn', or the answer that stands (this one if none did).
// KEYS: the request's hash. ARGV: answerId, fingerprint, answeredAt.
const CLAIM = `
if redis.call('HEXISTS', KEYS[1], 'messageId') == 0 then return {'unknown'} end
if redis.call('HEXISTS', KEYS[1], 'withdrawnAt') == 1 then return {'withdrawn'} end
if redis.call('HSETNX', KEYS[1], 'answerId', ARGV[1]) == 1 then
  redis.call('HSET', KEYS[1], 'answerFingerprint', ARGV[2], 'answeredAt', ARGV[3])
end
local standing = redis.call('HMGET', KEYS[1], 'answerId', 'answerFingerprint', 'answeredAt', 'answerQueuedAt')
return {'answer', standing[1], standing[2], standing[3], standing[4] or ''}`;

// Records that the answer is safe on the hub's queue, and keeps the request for the retention period.
// KEYS: the request's hash. ARGV: when, retention seconds.
const QUEUED = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSETNX', KEYS[1], 'answerQueuedAt', ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1`;

/**
 * The information requests each organisation received, beside its inbox and in the same key space:
 *
 *   <prefix>:inbox:<agency>:<organisation>:request:<request id>   hash: the message that carried it, withdrawal, answer
 *
 * Kept while open; once answered or withdrawn, for the inbox's retention period. Only the request's
 * recipient organisation finds it: every lookup is under its own organisation's keys.
 */
export class ReceivedRequests {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly agency: Agency,
    private readonly retentionSeconds: number,
  ) {}

  private key(organisation: string, requestId: string): string {
    return `${this.prefix}:inbox:${this.agency}:${organisation}:request:${requestId}`;
  }

  async received(organisation: string, request: { requestId: string; messageId: string; shareId: string; dueAt?: string }): Promise<void> {
    const fields = Object.entries(request).filter(([, value]) => typeof value === 'string') as [string, string][];
    await this.redis.eval(RECEIVED, 1, this.key(organisation, request.requestId), ...fields.flat());
  }

  async withdrawn(organisation: string, requestId: string, at: string): Promise<void> {
    await this.redis.eval(WITHDRAWN, 1, this.key(organisation, requestId), requestId, at, this.retentionSeconds);
  }

  async get(organisation: string, requestId: string): Promise<ReceivedRequest | null> {
    const fields = await this.redis.hgetall(this.key(organisation, requestId));
    return fields.requestId ? (fields as unknown as ReceivedRequest) : null;
  }

  async claimAnswer(
    organisation: string,
    requestId: string,
    answer: { answerId: string; fingerprint: string; answeredAt: string },
  ): Promise<{ kind: 'unknown' } | { kind: 'withdrawn' } | { kind: 'answer'; answerId: string; fingerprint: string; answeredAt: string; queuedAt: string | null }> {
    const result = (await this.redis.eval(CLAIM, 1, this.key(organisation, requestId), answer.answerId, answer.fingerprint, answer.answeredAt)) as string[];
    if (result[0] === 'unknown') return { kind: 'unknown' };
    if (result[0] === 'withdrawn') return { kind: 'withdrawn' };
    return { kind: 'answer', answerId: result[1], fingerprint: result[2], answeredAt: result[3], queuedAt: result[4] || null };
  }

  async markQueued(organisation: string, requestId: string, at: Date): Promise<void> {
    await this.redis.eval(QUEUED, 1, this.key(organisation, requestId), at.toISOString(), this.retentionSeconds);
  }
}

/** The adapter's answer to a partner: 202 with these fields. */
export interface AnswerReceipt {
  requestId: string;
  /** The answer's id: the same answer sent again keeps it. */
  answerId: string;
  status: 'queued';
  answeredAt: string;
  /** True when this answer was already taken; nothing new was queued. */
  duplicate: boolean;
}

/**
 * Takes an organisation's answer to an information request to the hub durably and once: only to a
 * request its inbox received and the MASH has not withdrawn; the same answer again gives the same
 * receipt, a different one after it is refused. Answered once safe on the hub's queue; answering also
 * acknowledges the inbox message that carried the request.
 */
export class InformationAnswers {
  constructor(
    private readonly agency: Agency,
    private readonly requests: ReceivedRequests,
    private readonly delivery: InboxDelivery,
    private readonly hub: QueueClient,
  ) {}

  async answer(partner: PartnerSystem, requestId: string, text: string): Promise<AnswerReceipt> {
    const fingerprint = createHash('sha256').update(text).digest('hex');
    const claim = await this.requests.claimAnswer(partner.organisation, requestId, { answerId: randomUUID(), fingerprint, answeredAt: new Date().toISOString() });
    if (claim.kind === 'unknown') throw new NotFoundException(`No information request with id ${requestId} in your inbox`);
    if (claim.kind === 'withdrawn') throw new ConflictException(`Information request ${requestId} was withdrawn by the MASH: it no longer takes an answer`);
    if (claim.fingerprint !== fingerprint) {
      throw new ConflictException(`Information request ${requestId} is already answered, with a different answer (answer ${claim.answerId}); it takes one answer`);
    }
    const duplicate = claim.queuedAt !== null;
    if (!duplicate) {
      const message: InformationAnswer = {
        answerId: claim.answerId,
        requestId,
        adapterAgency: this.agency,
        organisation: partner.organisation,
        credentialId: partner.credentialId,
        system: partner.system,
        answer: text,
        answeredAt: claim.answeredAt,
      };
      // The job id is the answer's: a retry after a lost reply queues nothing new.
      await lastValueFrom(this.hub.emit(MessagePatterns.informationAnswered, new QueueRecord(message, { jobId: message.answerId })), { defaultValue: undefined });
      await this.requests.markQueued(partner.organisation, requestId, new Date());
    }
    const request = await this.requests.get(partner.organisation, requestId);
    // Answering is acting on the request: its inbox message is done with (recorded once however often).
    if (request?.messageId) await this.delivery.acknowledge(partner, request.messageId);
    return { requestId, answerId: claim.answerId, status: 'queued', answeredAt: claim.answeredAt, duplicate };
  }
}
