import type { Job } from 'bullmq';
import { InvalidMessageError, isUuidText, validateMessage } from '#contracts';
import { PermanentMessageError } from '#queue-transport';
import type { InboxPushes } from './inbox-push.js';
import type { PartnerInbox } from './inbox.js';

/** A message from the hub, validated; one that is not valid never will be, so it is refused for good. */
export async function readHubMessage<T extends object>(type: new () => T, payload: unknown, what: string): Promise<T> {
  try {
    return await validateMessage(type, payload, what);
  } catch (error) {
    if (error instanceof InvalidMessageError) throw new PermanentMessageError(error.message, error.errors);
    throw error;
  }
}

/** The inbox message id of a delivery: its job id, the hub's outbox id; anything else is refused for good. */
export function deliveryMessageId(job: Job, kind: string): string {
  if (!isUuidText(job.id)) throw new PermanentMessageError(`${kind} delivered under job id ${JSON.stringify(job.id)}, not an outbox id`);
  return job.id.toLowerCase();
}

/**
 * Puts what the hub delivered into an organisation's inbox, under the job id (the hub's outbox id, the
 * same on every redelivery), and offers it to the organisation's push endpoint. Offered on a redelivery
 * too: the push may not have been queued before a crash. Both are idempotent.
 */
export async function postToInbox(
  inbox: PartnerInbox,
  pushes: InboxPushes,
  job: Job,
  message: { organisation: string; kind: string; correlationId: string; body: Record<string, unknown> },
): Promise<{ messageId: string; put: boolean; pushQueued: boolean }> {
  const messageId = deliveryMessageId(job, message.kind);
  const put = await inbox.put(message.organisation, {
    messageId,
    kind: message.kind,
    correlationId: message.correlationId,
    createdAt: new Date(job.timestamp).toISOString(),
    body: message.body,
  });
  const pushQueued = await pushes.offer(message.organisation, messageId);
  return { messageId, put, pushQueued };
}
