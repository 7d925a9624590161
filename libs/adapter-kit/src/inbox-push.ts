import { Controller, Inject, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { MessagePatterns, isUuidText, organisationCodeProblem, type Agency } from '#contracts';
import { PermanentMessageError, QueueContext, QueueRecord, type QueueClient } from '#queue-transport';
import { AdapterConfig } from './adapter-config.js';
import {
  INBOX_MESSAGE_ID_HEADER,
  INBOX_SIGNATURE_HEADER,
  INBOX_TIMESTAMP_HEADER,
  InboxEndpointStore,
  inboxEndpointUrlProblem,
  signInboxPush,
} from './inbox-endpoints.js';
import { InboxActivityReports } from './inbox-activity.js';
import { PartnerInbox, inboxItem, type InboxMessage } from './inbox.js';
import { ADAPTER_AGENCY } from './tokens.js';

/** A push job: ids only, so the queue (and its dead letters) holds no personal data; the message is read when pushed. */
export interface InboxPushJob {
  agency: Agency;
  organisation: string;
  messageId: string;
}

/** One job per agency, organisation and message, whatever redelivers it (BullMQ ids may not contain ':'). */
export function inboxPushJobId(agency: Agency, organisation: string, messageId: string): string {
  return `push.${agency}.${organisation}.${messageId}`;
}

/**
 * Queues the push of an inbox message when its organisation has registered an
 * endpoint. Offered on every delivery of the message, not only the first: an
 * adapter that stopped between putting it in the inbox and queueing the push
 * queues it on the redelivery. The job id makes that (and any other
 * redelivery) add nothing while the job is kept, and the pushedAt mark on the
 * message stops a push after that.
 */
export class InboxPushes {
  constructor(
    private readonly agency: Agency,
    private readonly inbox: PartnerInbox,
    private readonly endpoints: InboxEndpointStore,
    private readonly queue: QueueClient,
  ) {}

  /** True when a push was queued (or already was). */
  async offer(organisation: string, messageId: string): Promise<boolean> {
    if (!(await this.endpoints.get(this.agency, organisation))) return false;
    const message = await this.inbox.get(organisation, messageId);
    if (!message || message.acknowledgedAt || message.pushedAt) return false;
    const job: InboxPushJob = { agency: this.agency, organisation, messageId };
    await lastValueFrom(
      this.queue.emit(MessagePatterns.inboxPush, new QueueRecord(job, { jobId: inboxPushJobId(this.agency, organisation, messageId) })),
      { defaultValue: undefined },
    );
    return true;
  }
}

/** The endpoint did not take the push: retried with backoff, then a dead letter. Never holds the URL's answer body. */
export class InboxPushRefusedError extends Error {}

/**
 * Posts an inbox message to its organisation's endpoint, signed, exactly as
 * GET /inbox shows it. A 2xx answer is delivery: reported to the hub once (if
 * no system had already listed it). Anything else, or no answer in
 * INBOX_PUSH_TIMEOUT_MS, fails the job for a retry; the message stays in the
 * inbox for pulling meanwhile. A push never acknowledges; a message
 * acknowledged before its push is not pushed.
 */
@Controller()
export class InboxPushHandler {
  private readonly logger = new Logger(InboxPushHandler.name);

  constructor(
    @Inject(ADAPTER_AGENCY) private readonly agency: Agency,
    private readonly config: AdapterConfig,
    private readonly inbox: PartnerInbox,
    private readonly endpoints: InboxEndpointStore,
    private readonly activity: InboxActivityReports,
  ) {}

  @EventPattern<string>(MessagePatterns.inboxPush)
  async onPush(@Payload() payload: unknown, @Ctx() context: QueueContext): Promise<void> {
    const { organisation, messageId } = this.readJob(payload);
    const jobId = context.getJob().id;
    const message = await this.inbox.get(organisation, messageId);
    if (!message || message.acknowledgedAt) {
      this.logger.log({ message: 'inbox push not made: the message was acknowledged', organisation, messageId, jobId });
      return;
    }
    if (!message.pushedAt) {
      const endpoint = await this.endpoints.get(this.agency, organisation);
      if (!endpoint) {
        this.logger.log({ message: 'inbox push not made: the organisation has no endpoint now', organisation, messageId, jobId });
        return;
      }
      // Registered under another setting (http allowed then): never sent in the clear now.
      const problem = inboxEndpointUrlProblem(endpoint.url, this.config.INBOX_PUSH_ALLOW_HTTP === 'true');
      if (problem) throw new PermanentMessageError(`organisation ${organisation}'s endpoint may not be used: ${problem}`);
      await this.post(endpoint.url, endpoint.secret, organisation, message, jobId);
      await this.inbox.markPushed(organisation, messageId, new Date());
    }
    // A system that listed it first already reported the delivery. Reported after marking pushed, so a
    // failed report is retried without posting again.
    if (!message.deliveredAt) {
      const now = new Date();
      await this.activity.reportPushed(organisation, message, now);
      await this.inbox.markDelivered(organisation, [messageId], now);
    }
    this.logger.log({ message: 'inbox message pushed', organisation, messageId, jobId });
  }

  private async post(url: string, secret: string, organisation: string, message: InboxMessage, jobId: string | undefined): Promise<void> {
    const body = JSON.stringify(inboxItem(message));
    const timestamp = String(Math.floor(Date.now() / 1000));
    let status: number;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          [INBOX_MESSAGE_ID_HEADER]: message.messageId,
          [INBOX_TIMESTAMP_HEADER]: timestamp,
          [INBOX_SIGNATURE_HEADER]: signInboxPush(secret, timestamp, body),
        },
        body,
        // A redirect could send the message elsewhere than the registered endpoint.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.config.INBOX_PUSH_TIMEOUT_MS),
      });
      status = response.status;
      // The answer's body is the receiver's; not read, not logged.
      await response.body?.cancel();
    } catch (error) {
      const reason = (error as Error).name === 'TimeoutError' ? `no answer in ${this.config.INBOX_PUSH_TIMEOUT_MS} ms` : describeFetchError(error);
      throw new InboxPushRefusedError(`push of ${message.messageId} to organisation ${organisation} failed: ${reason}`);
    }
    if (status < 200 || status > 299) {
      throw new InboxPushRefusedError(`push of ${message.messageId} to organisation ${organisation} answered ${status}`);
    }
    this.logger.debug({ message: 'inbox push answered', organisation, messageId: message.messageId, status, jobId });
  }

  private readJob(payload: unknown): InboxPushJob {
    const job = (payload && typeof payload === 'object' ? payload : {}) as Partial<InboxPushJob>;
    if (job.agency !== this.agency) throw new PermanentMessageError(`inbox push for agency ${JSON.stringify(job.agency)} on the ${this.agency} adapter's queue`);
    const problem = organisationCodeProblem(this.agency, job.organisation);
    if (problem) throw new PermanentMessageError(`inbox push: ${problem}`);
    if (!isUuidText(job.messageId)) throw new PermanentMessageError(`inbox push: messageId must be a UUID, not ${JSON.stringify(job.messageId)}`);
    return { agency: this.agency, organisation: job.organisation!, messageId: job.messageId.toLowerCase() };
  }
}

/** fetch's own error says only "fetch failed"; the cause (ECONNREFUSED, a TLS error) is what an operator needs. */
function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
