import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Rag } from '#contracts';
import { londonTimeInWords } from '#calendar';
import { hubActing, AuditTrail } from '../audit/audit-trail.js';
import { HubConfig } from '../config.js';
import { UNFINISHED_CONTACT_SQL } from '../contacts/contact.entity.js';
import { RecurringRound } from '../recurring-round.js';
import { ScreeningDesk } from './screening-desk.js';

/** Contacts given a deadline, or escalated, per statement: bounded, so no transaction holds many rows for long. */
const BATCH_SIZE = 200;

export interface DeadlineRound {
  scheduled: number;
  escalated: number;
}

/**
 * The decision deadlines' durable timer. The deadline is a column of the contact, so it survives any
 * restart; this watcher gives each unfinished contact without one its deadline (new contacts, and
 * contacts a more urgent notice made due sooner, by the sender's urgency until a screener rates
 * them), and escalates each breached one to the manager once: marking it escalated, raising the
 * manager's alert and recording it, in one transaction with the rows locked (SKIP LOCKED), so two
 * hubs never escalate the same contact twice.
 */
@Injectable()
export class DeadlineWatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DeadlineWatcher.name);
  private readonly rounds: RecurringRound<DeadlineRound>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(HubConfig) config: HubConfig,
    private readonly desk: ScreeningDesk,
    private readonly audit: AuditTrail,
  ) {
    this.rounds = new RecurringRound(
      () => this.watch(),
      config.DEADLINE_POLL_INTERVAL_MS,
      this.logger,
      (round) => {
        if (round.escalated) this.logger.log({ message: 'decision deadlines escalated to the manager', ...round });
      },
      'decision deadline',
    );
  }

  onApplicationBootstrap(): void {
    this.rounds.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.rounds.stop();
  }

  /** One round: deadlines set, then breaches escalated. */
  async watch(now = new Date()): Promise<DeadlineRound> {
    const scheduled = await this.scheduleDeadlines();
    const escalated = await this.escalateBreaches(now);
    return { scheduled, escalated };
  }


  private async scheduleDeadlines(): Promise<number> {
    let total = 0;
    for (;;) {
      const count = await this.dataSource.transaction(async (manager) => {
        const rows = (await manager.query(
          `SELECT id, received_at, coalesce(rag, sender_urgency) AS rag FROM contact
            WHERE decision_due_at IS NULL AND ${UNFINISHED_CONTACT_SQL}
            ORDER BY received_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [BATCH_SIZE],
        )) as { id: string; received_at: Date; rag: Rag }[];
        if (!rows.length) return 0;
        await manager.query(
          `UPDATE contact SET decision_due_at = due.at FROM unnest($1::uuid[], $2::timestamptz[]) AS due(id, at) WHERE contact.id = due.id`,
          [rows.map((row) => row.id), rows.map((row) => this.desk.decisionDue(row.received_at, row.rag))],
        );
        return rows.length;
      });
      total += count;
      if (count < BATCH_SIZE || this.rounds.isStopped) return total;
    }
  }

  private async escalateBreaches(now: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const count = await this.dataSource.transaction(async (manager) => {
        const breached = (await manager.query(
          `WITH due AS (
             SELECT id FROM contact
              WHERE decision_due_at < $1 AND decision_escalated_at IS NULL AND ${UNFINISHED_CONTACT_SQL}
              ORDER BY decision_due_at LIMIT $2 FOR UPDATE SKIP LOCKED)
           UPDATE contact SET decision_escalated_at = $1 FROM due WHERE contact.id = due.id
           RETURNING contact.id, contact.number::text AS number, contact.child_id, contact.decision_due_at, coalesce(contact.rag, contact.sender_urgency) AS rag, contact.status`,
          [now, BATCH_SIZE],
        )) as [{ id: string; number: string; child_id: string; decision_due_at: Date; rag: Rag; status: string }[], number];
        const rows = breached[0];
        if (!rows.length) return 0;
        const alerts = rows.map((row) => ({ id: randomUUID(), row }));
        await manager.query(
          `INSERT INTO alert (id, kind, audience, contact_id, message, raised_at)
           SELECT id, 'decision_overdue', 'manager', contact_id, message, $1 FROM unnest($2::uuid[], $3::uuid[], $4::text[]) AS a(id, contact_id, message)`,
          [
            now,
            alerts.map((alert) => alert.id),
            alerts.map((alert) => alert.row.id),
            alerts.map(({ row }) => `Contact ${row.number} (${row.rag}, ${row.status.replaceAll('_', ' ')}) was due a decision at ${londonTimeInWords(row.decision_due_at)}.`),
          ],
        );
        await this.audit.append(
          manager,
          alerts.map(({ id, row }) => ({
            actor: hubActing(),
            action: 'deadline.escalated' as const,
            subject: { type: 'contact', id: row.id },
            childId: row.child_id,
            purpose: 'timeliness',
            details: { deadline: 'decision', dueAt: row.decision_due_at.toISOString(), rag: row.rag, status: row.status, alertId: id, audience: 'manager' },
          })),
        );
        return rows.length;
      });
      total += count;
      if (count < BATCH_SIZE || this.rounds.isStopped) return total;
    }
  }
}
