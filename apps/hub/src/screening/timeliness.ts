import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { staffActor } from '../access/staff-actor.js';
import type { StaffMember } from '../access/staff.js';
import { AuditTrail } from '../audit/audit-trail.js';
import { UNFINISHED_CONTACT_SQL } from '../contacts/contact.entity.js';
import type { TimelinessGroup, TimelinessReport } from './timeliness.dto.js';

interface GroupRow {
  key: string;
  decided: number;
  on_time: number;
  median_minutes: number | null;
}

/**
 * The front door's timeliness, as inspectors ask for it: of the contacts decided in a period, how
 * many were decided by their RAG deadline, and how long they took, by RAG and by the agency that
 * referred; and how many contacts still waiting are past their deadline now.
 */
@Injectable()
export class Timeliness {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
  ) {}

  report(from: Date, to: Date, viewer: StaffMember): Promise<TimelinessReport> {
    return this.dataSource.transaction(async (manager) => {
      // A contact counts once, by its signed-off decision; its referrer is the agency of its first notification.
      const decided = `
        SELECT c.id, coalesce(c.rag, c.sender_urgency) AS rag, c.received_at, c.decision_due_at, d.decided_at,
               (SELECT n.source_agency FROM contact_notification link JOIN notification n ON n.id = link.notification_id
                 WHERE link.contact_id = c.id ORDER BY n.received_at, n.id LIMIT 1) AS agency
          FROM contact c JOIN contact_decision d ON d.contact_id = c.id AND d.signed_off_at IS NOT NULL
         WHERE d.decided_at >= $1 AND d.decided_at < $2`;
      const grouped = (key: string) =>
        manager.query(
          `SELECT ${key} AS key, count(*)::int AS decided,
                  count(*) FILTER (WHERE decided_at <= decision_due_at)::int AS on_time,
                  round(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM decided_at - received_at) / 60))::int AS median_minutes
             FROM (${decided}) decided GROUP BY ${key} ORDER BY ${key}`,
          [from, to],
        ) as Promise<GroupRow[]>;
      const [byRag, byAgency, [overdue]] = await Promise.all([
        grouped('rag'),
        grouped('agency'),
        manager.query(`SELECT count(*)::int AS n FROM contact WHERE ${UNFINISHED_CONTACT_SQL} AND status <> 'awaiting_sign_off' AND decision_due_at < now()`) as Promise<{ n: number }[]>,
      ]);
      await this.audit.record(manager, {
        actor: staffActor(viewer),
        action: 'timeliness.viewed',
        purpose: 'management information',
        details: { from: from.toISOString(), to: to.toISOString() },
      });
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        byRag: byRag.map(group),
        byReferringAgency: byAgency.map(group),
        waitingPastDeadline: overdue.n,
      };
    });
  }
}

function group(row: GroupRow): TimelinessGroup {
  return {
    key: row.key,
    decided: row.decided,
    onTime: row.on_time,
    late: row.decided - row.on_time,
    onTimeRate: row.decided ? Math.round((row.on_time / row.decided) * 1000) / 1000 : null,
    medianMinutesToDecision: row.median_minutes,
  };
}
