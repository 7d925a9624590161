import { BadRequestException, ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { londonTimeInWords } from '#calendar';
import { staffActor } from '../access/staff-actor.js';
import type { StaffMember } from '../access/staff.js';
import { AuditTrail } from '../audit/audit-trail.js';
import type { AlertAudience } from './alert.entity.js';
import type { AlertPage, AlertView, ListAlertsQuery } from './alert.dto.js';

interface AlertRow {
  id: string;
  kind: AlertView['kind'];
  audience: AlertAudience;
  contact_id: string | null;
  contact_number: string | null;
  share_id: string | null;
  message: string;
  raised_at: Date;
  resolved_at: Date | null;
  resolved_by_name: string | null;
}

/** An alert's columns, with its contact's number so a list can name the contact without reading it. */
const ALERT_COLUMNS = `id, kind, audience, contact_id, (SELECT number::text FROM contact WHERE contact.id = alert.contact_id) AS contact_number,
  share_id, message, raised_at, resolved_at, resolved_by_name`;

/** The audiences a member of staff may see: a manager sees the screeners' alerts too. */
export function audiencesOf(staff: StaffMember): AlertAudience[] {
  return [...(staff.roles.includes('screener') || staff.roles.includes('manager') ? ['screener' as const] : []), ...(staff.roles.includes('manager') ? ['manager' as const] : [])];
}

/**
 * Alerts for screeners and the MASH manager: listed and resolved, each act in the audit trail in
 * the same transaction.
 */
@Injectable()
export class AlertDesk {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
  ) {}

  /** Open alerts, newest first, by (raised_at, id) from just after `after`: stable while alerts are raised. */
  list(query: ListAlertsQuery, staff: StaffMember): Promise<AlertPage> {
    const visible = audiencesOf(staff);
    if (query.audience && !visible.includes(query.audience)) throw new ForbiddenException(`Alerts for the ${query.audience} are for the MASH manager only`);
    const audiences = query.audience ? [query.audience] : visible;
    return this.dataSource.transaction(async (manager) => {
      const parameters: unknown[] = [audiences, query.pageSize + 1];
      let after = '';
      if (query.after) {
        const known = (await manager.query('SELECT 1 FROM alert WHERE id = $1 AND audience = ANY($2::text[])', [query.after, audiences])) as unknown[];
        if (!known.length) throw new BadRequestException(`after must be the previous page's next: there is no alert ${query.after}`);
        parameters.push(query.after);
        after = 'AND (raised_at, id) < (SELECT raised_at, id FROM alert WHERE id = $3)';
      }
      const rows = (await manager.query(
        `SELECT ${ALERT_COLUMNS}
           FROM alert
          WHERE resolved_at IS NULL AND audience = ANY($1::text[]) ${after}
          ORDER BY raised_at DESC, id DESC
          LIMIT $2`,
        parameters,
      )) as AlertRow[];
      const items = rows.slice(0, query.pageSize).map(toView);
      await this.audit.record(manager, {
        actor: staffActor(staff),
        action: 'alerts.listed',
        purpose: 'screening',
        details: {
          filters: { audience: query.audience ?? null, after: query.after ?? null, pageSize: query.pageSize },
          alertIds: items.map((item) => item.id),
          contactIds: [...new Set(items.flatMap((item) => (item.contactId ? [item.contactId] : [])))],
        },
      });
      return { items, pageSize: query.pageSize, next: rows.length > query.pageSize ? items[items.length - 1].id : null };
    });
  }

  /** Marks an alert dealt with; a screener may resolve screeners' alerts, the manager any. */
  resolve(id: string, staff: StaffMember): Promise<AlertView> {
    return this.dataSource.transaction(async (manager) => {
      const [alert] = (await manager.query(
        `SELECT ${ALERT_COLUMNS} FROM alert WHERE id = $1 FOR UPDATE`,
        [id],
      )) as AlertRow[];
      if (!alert) throw new NotFoundException(`No alert with id ${id}`);
      if (!audiencesOf(staff).includes(alert.audience)) throw new ForbiddenException(`Alerts for the ${alert.audience} are resolved by the MASH manager`);
      if (alert.resolved_at) throw new ConflictException(`Alert ${id} was already resolved at ${londonTimeInWords(alert.resolved_at)}`);
      const actor = staffActor(staff);
      const [resolved] = (await manager.query(
        `UPDATE alert SET resolved_at = now(), resolved_by_id = $2, resolved_by_name = $3 WHERE id = $1
         RETURNING ${ALERT_COLUMNS}`,
        [id, actor.id, staff.name],
      )) as [AlertRow[], number];
      await this.audit.record(manager, {
        actor,
        action: 'alert.resolved',
        subject: { type: 'alert', id },
        purpose: 'screening',
        details: { kind: alert.kind, audience: alert.audience, shareId: alert.share_id, contactId: alert.contact_id },
      });
      return toView(resolved[0]);
    });
  }
}

function toView(row: AlertRow): AlertView {
  return {
    id: row.id,
    kind: row.kind,
    audience: row.audience,
    contactId: row.contact_id,
    contactNumber: row.contact_number,
    shareId: row.share_id,
    message: row.message,
    raisedAt: row.raised_at.toISOString(),
    resolvedAt: row.resolved_at?.toISOString() ?? null,
    resolvedBy: row.resolved_by_name,
  };
}
