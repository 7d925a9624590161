import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Rag } from '#contracts';
import type { ContactState } from '#screening';
import { staffActor } from '../access/staff-actor.js';
import type { StaffMember } from '../access/staff.js';
import { AuditTrail } from '../audit/audit-trail.js';
import { UNFINISHED_CONTACT_SQL } from '../contacts/contact.entity.js';
import { UNRECORDED_TEAM, type PastDeadlineContact, type TimelinessGroup, type TimelinessReport } from './timeliness.dto.js';

interface GroupRow {
  key: string;
  decided: number;
  on_time: number;
  median_minutes: number | null;
}

/** Contacts still waiting in the MASH for a decision (a decision awaiting sign-off has been made) past their deadline. */
const WAITING_PAST_DEADLINE_SQL = `${UNFINISHED_CONTACT_SQL} AND status <> 'awaiting_sign_off' AND decision_due_at < now()`;

/** The most past-deadline contacts listed at once: beyond this many the front door has a bigger problem than a list. */
export const PAST_DEADLINE_LIST_LIMIT = 200;

/**
 * The front door's timeliness, as inspectors ask for it: of the contacts decided in a period, how
 * many were decided by their RAG deadline, and how long they took, in all, by RAG, by the agency that
 * referred and by the deciding team; and how many contacts still waiting are past their deadline now.
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
               coalesce(d.decided_by_team, '${UNRECORDED_TEAM}') AS team,
               (SELECT n.source_agency FROM contact_notification link JOIN notification n ON n.id = link.notification_id
                 WHERE link.contact_id = c.id ORDER BY n.received_at, n.id LIMIT 1) AS agency
          FROM contact c JOIN contact_decision d ON d.contact_id = c.id AND d.signed_off_at IS NOT NULL
         WHERE d.decided_at >= $1 AND d.decided_at < $2`;
      // Without a key, the whole period as one group (one row, even when nothing was decided).
      const grouped = (key: 'rag' | 'agency' | 'team' | null) =>
        manager.query(
          `SELECT ${key ?? "'all'"} AS key, count(*)::int AS decided,
                  count(*) FILTER (WHERE decided_at <= decision_due_at)::int AS on_time,
                  round(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM decided_at - received_at) / 60))::int AS median_minutes
             FROM (${decided}) decided ${key ? `GROUP BY ${key} ORDER BY ${key}` : ''}`,
          [from, to],
        ) as Promise<GroupRow[]>;
      // One after another: the transaction's queries share one connection.
      const [overall] = await grouped(null);
      const byRag = await grouped('rag');
      const byAgency = await grouped('agency');
      const byTeam = await grouped('team');
      const [overdue] = (await manager.query(`SELECT count(*)::int AS n FROM contact WHERE ${WAITING_PAST_DEADLINE_SQL}`)) as { n: number }[];
      await this.audit.record(manager, {
        actor: staffActor(viewer),
        action: 'timeliness.viewed',
        purpose: 'management information',
        details: { from: from.toISOString(), to: to.toISOString() },
      });
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        overall: group(overall),
        byRag: byRag.map(group),
        byReferringAgency: byAgency.map(group),
        byTeam: byTeam.map(group),
        waitingPastDeadline: overdue.n,
      };
    });
  }

  /**
   * The contacts the report counts as waiting past their deadline, the longest overdue first, at most
   * `limit` (`more` when there are others); the read is recorded.
   */
  waitingPastDeadline(viewer: StaffMember, limit = PAST_DEADLINE_LIST_LIMIT): Promise<{ contacts: PastDeadlineContact[]; more: boolean }> {
    return this.dataSource.transaction(async (manager) => {
      const found = (await manager.query(
        `SELECT id, number::text AS number, status, coalesce(rag, sender_urgency) AS rag, rag IS NOT NULL AS rated, decision_due_at, screener_name
           FROM contact WHERE ${WAITING_PAST_DEADLINE_SQL}
          ORDER BY decision_due_at, id LIMIT $1`,
        [limit + 1],
      )) as { id: string; number: string; status: ContactState; rag: Rag; rated: boolean; decision_due_at: Date; screener_name: string | null }[];
      const rows = found.slice(0, limit);
      await this.audit.record(manager, {
        actor: staffActor(viewer),
        action: 'contacts.listed',
        purpose: 'timeliness',
        details: { filters: { waitingPastDeadline: true }, contactIds: rows.map((row) => row.id) },
      });
      const contacts = rows.map((row) => ({
        id: row.id,
        number: row.number,
        status: row.status,
        rag: row.rag,
        rated: row.rated,
        decisionDueAt: row.decision_due_at.toISOString(),
        screener: row.screener_name,
      }));
      return { contacts, more: found.length > limit };
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
