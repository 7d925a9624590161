import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AGENCY_REGISTRY, InboxActivity, InvalidMessageError, MessagePatterns, validateMessage } from '#contracts';
import { PermanentMessageError, QueueContext } from '#queue-transport';
import { AuditTrail, type AuditAction } from '../audit/audit-trail.js';
import { lockAllInOrder } from '../database/advisory-locks.js';
import { IntakeOrigin } from './intake-origin.js';

const ACTIONS: Record<InboxActivity['event'], AuditAction> = {
  delivered: 'inbox.delivered',
  acknowledged: 'inbox.acknowledged',
};

/**
 * An adapter gave a partner system messages from its organisation's inbox
 * (the first time each was listed) or the system acknowledged one: the trail
 * records 'inbox.delivered' or 'inbox.acknowledged' by that system, about the
 * outbox message, with the organisation and credential. A push to the
 * organisation's registered endpoint is a delivery by the adapter itself
 * (details.channel 'push', no credential).
 *
 * Once per organisation, message and action: the adapter may report an act
 * twice (two requests at once, a retry after a lost reply, a redelivered job),
 * so each is appended only if the trail does not have it yet, under a lock on
 * that organisation's message and action.
 */
@Controller()
export class InboxActivityHandler {
  private readonly logger = new Logger(InboxActivityHandler.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
    private readonly origin: IntakeOrigin,
  ) {}

  @EventPattern<string>(MessagePatterns.inboxActivity)
  async onActivity(@Payload() payload: unknown, @Ctx() context: QueueContext): Promise<void> {
    const fields = payload && typeof payload === 'object' ? (payload as Record<string, unknown>) : {};
    await this.origin.check(context.getJob(), fields.adapterAgency, fields);
    let activity: InboxActivity;
    try {
      activity = await validateMessage(InboxActivity, payload, 'inbox activity');
    } catch (error) {
      if (error instanceof InvalidMessageError) throw new PermanentMessageError(error.message, error.errors);
      throw error;
    }
    const push = activity.channel === 'push';
    // A push only delivers: acknowledging is the organisation's own act, with its credential.
    if (push && activity.event !== 'delivered') throw new PermanentMessageError(`inbox activity ${activity.activityId}: a push can only be a delivery, not ${activity.event}`);
    const action = ACTIONS[activity.event];
    const { adapterAgency: agency, organisation } = activity;
    const messageIds = activity.messages.map((message) => message.messageId.toLowerCase());
    const recorded = await this.dataSource.transaction(async (manager) => {
      await lockAllInOrder(manager, messageIds.map((id) => `inbox:${action}:${agency}:${organisation}:${id}`));
      const rows = (await manager.query(
        `SELECT subject_id FROM audit_event
          WHERE subject_type = 'outbox_message' AND subject_id = ANY($1::uuid[]) AND action = $2
            AND details->>'agency' = $3 AND details->>'organisation' = $4`,
        [messageIds, action, agency, organisation],
      )) as { subject_id: string }[];
      const already = new Set(rows.map((row) => row.subject_id));
      const fresh = activity.messages.filter((message, index) => !already.has(messageIds[index]) && messageIds.indexOf(messageIds[index]) === index);
      // Before the audit append: the chain's head is locked from there to the commit, and a share's row must
      // not be waited for while holding it (the Encompass dispatcher holds share rows, then takes the head).
      await recordOnShares(manager, activity, messageIds);
      await this.audit.append(
        manager,
        fresh.map((message) => ({
          actor: { type: 'agency_system', id: push ? AGENCY_REGISTRY[agency].adapter.name : activity.credentialId!, onBehalfOf: agency },
          action,
          subject: { type: 'outbox_message', id: message.messageId },
          correlationId: message.correlationId,
          purpose: 'feedback to the referrer',
          details: {
            agency,
            organisation,
            credentialId: push ? null : activity.credentialId,
            ...(push && { channel: 'push' }),
            messageId: message.messageId.toLowerCase(),
            kind: message.kind,
            reportedAt: activity.occurredAt,
          },
        })),
      );
      return fresh.length;
    });
    this.logger.log({
      message: 'inbox activity recorded',
      activityId: activity.activityId,
      event: activity.event,
      organisation,
      messages: activity.messages.length,
      recorded,
      jobId: context.getJob().id,
    });
  }
}

/**
 * A share's first delivery and first acknowledgement, on the share itself (Operation Encompass deadlines
 * are watched there), only when the organisation that had it is the one the share went to. An
 * acknowledgement is a delivery too, should its report of delivery come later or not at all.
 */
async function recordOnShares(manager: EntityManager, activity: InboxActivity, messageIds: string[]): Promise<void> {
  const acknowledged = activity.event === 'acknowledged';
  await manager.query(
    `UPDATE share
        SET delivered_at = COALESCE(delivered_at, $4),
            acknowledged_at = CASE WHEN $5 THEN COALESCE(acknowledged_at, $4) ELSE acknowledged_at END
      WHERE outbox_message_id = ANY($1::uuid[]) AND recipient_agency = $2 AND recipient_organisation = $3
        AND (delivered_at IS NULL OR ($5 AND acknowledged_at IS NULL))`,
    [messageIds, activity.adapterAgency, activity.organisation, activity.occurredAt, acknowledged],
  );
}
