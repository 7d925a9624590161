import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AGENCIES, HUB_INTAKE_QUEUES, agencyQueue, inboxPushQueue } from '#contracts';
import { DeadLetterNotFoundError, DeadLetterStore, type DeadLetter } from '#queue-transport';
import { staffActor } from '../access/staff-actor.js';
import type { StaffMember } from '../access/staff.js';
import { AuditTrail } from '../audit/audit-trail.js';

/** Every queue whose failed messages an operator may inspect and replay (an inbox push replayed is tried again, if not yet acknowledged). */
export const OBSERVED_QUEUES = [...HUB_INTAKE_QUEUES, ...AGENCIES.map(agencyQueue), ...AGENCIES.map(inboxPushQueue)];

/**
 * What an operator does with dead letters, each act recorded in the trail: the same acts
 * through the API and the staff pages. Nothing is dropped: an operator reads why, fixes the
 * cause and replays; the receiver is idempotent by message id.
 */
@Injectable()
export class DeadLetterDesk {
  constructor(
    @Inject(DeadLetterStore) private readonly deadLetters: DeadLetterStore,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
  ) {}

  /** How many dead letters each observed queue holds. Counts only: no message content, so not audited. */
  counts(): Promise<{ queue: string; total: number }[]> {
    return Promise.all(OBSERVED_QUEUES.map(async (queue) => ({ queue, total: (await this.deadLetters.list(queue, { offset: 0, limit: 1 })).total })));
  }

  /** Dead letters hold whole messages, personal data included: listing them is audited. */
  async list(queue: string, page: { offset: number; limit: number }, staff: StaffMember): Promise<{ items: DeadLetter[]; total: number }> {
    const result = await this.deadLetters.list(queue, page);
    await this.record(staff, 'dead_letters.listed', { queue, offset: page.offset, limit: page.limit, messageIds: result.items.map((item) => item.id) });
    return result;
  }

  /** One dead letter back in its queue with its attempts reset. */
  async replay(queue: string, id: string, staff: StaffMember): Promise<void> {
    try {
      await this.deadLetters.replay(queue, id);
    } catch (error) {
      if (error instanceof DeadLetterNotFoundError) throw new NotFoundException(error.message);
      throw error;
    }
    await this.record(staff, 'dead_letter.replayed', { queue, messageId: id });
  }

  /** After an outage is fixed: every dead letter of a queue, or those that failed in a time range, back in the queue. */
  async replayMany(queue: string, range: { failedFrom?: string; failedTo?: string }, staff: StaffMember): Promise<{ replayed: number; ids: string[]; more: boolean }> {
    const failedFrom = range.failedFrom ? new Date(range.failedFrom) : undefined;
    const failedTo = range.failedTo ? new Date(range.failedTo) : undefined;
    if (failedFrom && failedTo && failedFrom > failedTo) throw new BadRequestException('failedFrom must not be after failedTo');
    const { replayed, more } = await this.deadLetters.replayMany(queue, { failedFrom, failedTo });
    await this.record(staff, 'dead_letters.replayed', {
      queue,
      failedFrom: range.failedFrom ?? null,
      failedTo: range.failedTo ?? null,
      count: replayed.length,
      messageIds: replayed,
      more,
    });
    return { replayed: replayed.length, ids: replayed, more };
  }

  private record(staff: StaffMember, action: 'dead_letters.listed' | 'dead_letter.replayed' | 'dead_letters.replayed', details: Record<string, unknown>) {
    return this.dataSource.transaction((manager) => this.audit.record(manager, { actor: staffActor(staff), action, purpose: 'operations', details }));
  }
}
