import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { londonTimeInWords } from '#calendar';
import { hubActing, AuditTrail } from '../audit/audit-trail.js';
import { HubConfig } from '../config.js';
import { RecurringRound } from '../recurring-round.js';

/** Requests escalated per statement: bounded, so no transaction holds many rows for long. */
const BATCH_SIZE = 200;

/**
 * The information requests' durable timer, beside the decision deadlines' (DeadlineWatcher): each
 * request still awaiting its answer past its due time is escalated to the manager once, by marking
 * it escalated, raising the manager's alert and recording it in one transaction with the rows locked
 * (SKIP LOCKED), so two hubs never escalate the same request twice and a restart loses none.
 */
@Injectable()
export class InformationDeadlines implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(InformationDeadlines.name);
  private readonly rounds: RecurringRound<number>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(HubConfig) config: HubConfig,
    private readonly audit: AuditTrail,
  ) {
    this.rounds = new RecurringRound(
      () => this.escalateOverdue(),
      config.DEADLINE_POLL_INTERVAL_MS,
      this.logger,
      (escalated) => {
        if (escalated) this.logger.log({ message: 'overdue information requests escalated to the manager', escalated });
      },
      'information deadline',
    );
  }

  onApplicationBootstrap(): void {
    this.rounds.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.rounds.stop();
  }


  async escalateOverdue(now = new Date()): Promise<number> {
    let total = 0;
    for (;;) {
      const count = await this.dataSource.transaction(async (manager) => {
        const [rows] = (await manager.query(
          `WITH due AS (
             SELECT id FROM information_request
              WHERE status = 'sent' AND escalated_at IS NULL AND due_at < $1
              ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED)
           UPDATE information_request r SET escalated_at = $1 FROM due, contact c
            WHERE r.id = due.id AND c.id = r.contact_id
           RETURNING r.id, r.contact_id, r.child_id, r.share_id, r.recipient_agency, r.recipient_organisation, r.due_at, c.number::text AS number, c.rag`,
          [now, BATCH_SIZE],
        )) as [
          { id: string; contact_id: string; child_id: string; share_id: string; recipient_agency: string; recipient_organisation: string; due_at: Date; number: string; rag: string | null }[],
          number,
        ];
        if (!rows.length) return 0;
        const alerts = rows.map((row) => ({ id: randomUUID(), row }));
        // One alert per request (by its share), whatever happens to the rows: the unique index says so.
        await manager.query(
          `INSERT INTO alert (id, kind, audience, contact_id, share_id, message, raised_at)
           SELECT id, 'information_overdue', 'manager', contact_id, share_id, message, $1
             FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::text[]) AS a(id, contact_id, share_id, message)
           ON CONFLICT (share_id, kind) DO NOTHING`,
          [
            now,
            alerts.map((alert) => alert.id),
            alerts.map((alert) => alert.row.contact_id),
            alerts.map((alert) => alert.row.share_id),
            alerts.map(
              ({ row }) =>
                `The information requested from ${row.recipient_agency} ${row.recipient_organisation} for contact ${row.number} was due at ${londonTimeInWords(row.due_at)} and has not been answered.`,
            ),
          ],
        );
        await this.audit.append(
          manager,
          alerts.map(({ id, row }) => ({
            actor: hubActing(),
            action: 'deadline.escalated' as const,
            subject: { type: 'information_request', id: row.id },
            childId: row.child_id,
            purpose: 'timeliness',
            details: {
              deadline: 'information_request',
              contactId: row.contact_id,
              recipientAgency: row.recipient_agency,
              recipientOrganisation: row.recipient_organisation,
              dueAt: row.due_at.toISOString(),
              rag: row.rag,
              alertId: id,
              audience: 'manager',
            },
          })),
        );
        return rows.length;
      });
      total += count;
      if (count < BATCH_SIZE || this.rounds.isStopped) return total;
    }
  }
}
