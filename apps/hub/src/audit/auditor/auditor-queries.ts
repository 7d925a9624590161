import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { staffActor } from '../../access/staff-actor.js';
import type { StaffMember } from '../../access/staff.js';
import { AuditEvent, type ActorType } from '../audit-event.entity.js';
import { AuditTrail, type AuditAction, type AuditRecord } from '../audit-trail.js';
import type {
  AuditEventFilters,
  AuditEventPage,
  AuditEventView,
  ChildAccess,
  ChildAccessActor,
  ExportFormat,
  SearchAuditEventsQuery,
} from './auditor.dto.js';

/** Rows per keyset batch when exporting: one batch is in memory at a time. */
export const EXPORT_BATCH_SIZE = 1000;
/** How many of a child's events the access view lists. */
export const RECENT_EVENTS = 100;

const VIEWS = new Set(['contact.viewed', 'contacts.listed']);
/** Every share decision the hub makes, allowed or refused: the sharing log. */
export const SHARE_DECISION_ACTIONS = ['information.shared', 'information.refused'] as const satisfies readonly AuditAction[];
/** The hub sharing about the child, and a partner sharing with the hub. */
const SHARES = new Set(['information.shared', 'notification.received']);

/**
 * The events about a child: those naming it (child_id); the events of the
 * same submissions that name no one child (the notification as received, the
 * acknowledgement shared back with the sender), found through the correlation
 * id; and the contact lists that showed it. No index serves the jsonb test, so
 * this scans the listing events: acceptable at today's volumes; a GIN index on
 * details->'childIds' (or a link table) is the fix when it is not.
 */
/**
 * The child and every record merged into it and not unmerged, through merges of merges: their
 * events stay under the ids they were written with (the chain is never rewritten), and are the
 * child's history all the same.
 */
const CHILD_AND_MERGED = `(
  WITH RECURSIVE merged(id) AS (
    SELECT CAST(:childId AS uuid)
    UNION SELECT m.merged_child_id FROM child_merge m JOIN merged ON m.surviving_child_id = merged.id WHERE m.unmerged_at IS NULL)
  SELECT id FROM merged)`;

const ABOUT_CHILD = `(
  event.child_id IN ${CHILD_AND_MERGED}
  OR (event.child_id IS NULL AND event.correlation_id IN (
    SELECT mine.correlation_id FROM audit_event mine WHERE mine.child_id IN ${CHILD_AND_MERGED} AND mine.correlation_id IS NOT NULL))
  OR (event.action = 'contacts.listed' AND event.details->'childIds' ?| ARRAY(SELECT CAST(id AS text) FROM ${CHILD_AND_MERGED} ids))
)`;

/** The API's filters, and (for the staff pages' sharing log) only events of these actions. */
export type NarrowedFilters = AuditEventFilters & { actions?: readonly AuditAction[] };

interface ActorActionRow {
  actorType: ActorType;
  actorId: string;
  onBehalfOf: string | null;
  action: string;
  count: number;
  firstAt: Date;
  lastAt: Date;
}

/**
 * What auditors read: the trail searched, exported and seen from one child.
 * Every read is itself audited, in its own transaction after the data is read
 * and before it is returned, so nothing leaves that is not recorded. (Its own
 * transaction: appending locks the chain head, which must not wait on a long read.)
 */
@Injectable()
export class AuditorQueries {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
  ) {}

  async search(query: SearchAuditEventsQuery & NarrowedFilters, auditor: StaffMember): Promise<AuditEventPage> {
    // One snapshot, so the total agrees with the page.
    const page = await this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const [events, total] = await filtered(manager, query)
        .orderBy('event.sequence', 'ASC')
        .offset((query.page - 1) * query.pageSize)
        .limit(query.pageSize)
        .getManyAndCount();
      return { items: events.map(toView), page: query.page, pageSize: query.pageSize, total };
    });
    await this.record(auditor, {
      action: 'audit.searched',
      childId: query.childId,
      details: {
        filters: describeFilters(query),
        page: query.page,
        pageSize: query.pageSize,
        total: page.total,
        sequences: page.items.map((item) => item.sequence),
      },
    });
    return page;
  }

  /**
   * Records the export before the first row leaves: the number of rows is not
   * known until the end, so the event holds the filters and format only. The
   * export covers the events before this one, which fixes its extent however
   * long the stream takes. Returns the event's sequence.
   */
  async recordExport(filters: NarrowedFilters, format: ExportFormat, auditor: StaffMember): Promise<string> {
    const [event] = await this.record(auditor, {
      action: 'audit.exported',
      childId: filters.childId,
      details: { filters: describeFilters(filters), format },
    });
    return event.sequence;
  }

  /**
   * The matching events before `before`, oldest first, in keyset batches
   * (sequence > the last one sent): one batch in memory at a time, and no
   * transaction or cursor held open while a slow client reads.
   */
  async *exportBatches(filters: NarrowedFilters, before: string): AsyncGenerator<AuditEventView[]> {
    let after = '0';
    for (;;) {
      const events = await filtered(this.dataSource.manager, filters)
        .andWhere('event.sequence > :after AND event.sequence < :before', { after, before })
        .orderBy('event.sequence', 'ASC')
        .limit(EXPORT_BATCH_SIZE)
        .getMany();
      if (events.length) yield events.map(toView);
      if (events.length < EXPORT_BATCH_SIZE) return;
      after = events[events.length - 1].sequence;
    }
  }

  /** Who has seen and shared what about a child; null when nothing but auditors' own reads concern it. */
  async childAccess(childId: string, auditor: StaffMember): Promise<ChildAccess | null> {
    const params = { childId };
    const access = await this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const rows = await manager
        .createQueryBuilder(AuditEvent, 'event')
        .select('event.actor_type', 'actorType')
        .addSelect('event.actor_id', 'actorId')
        .addSelect('event.on_behalf_of', 'onBehalfOf')
        .addSelect('event.action', 'action')
        .addSelect('count(*)::int', 'count')
        .addSelect('min(event.occurred_at)', 'firstAt')
        .addSelect('max(event.occurred_at)', 'lastAt')
        .where(ABOUT_CHILD, params)
        .groupBy('event.actor_type')
        .addGroupBy('event.actor_id')
        .addGroupBy('event.on_behalf_of')
        .addGroupBy('event.action')
        .getRawMany<ActorActionRow>();
      // An auditor's earlier look at an unknown id names it too: that alone does not make it a child's record.
      if (!rows.some((row) => !row.action.startsWith('audit.'))) return null;

      const events = await manager
        .createQueryBuilder(AuditEvent, 'event')
        .where(ABOUT_CHILD, params)
        .orderBy('event.sequence', 'DESC')
        .limit(RECENT_EVENTS)
        .getMany();
      return { childId, actors: foldActors(rows), events: events.map(toView) };
    });
    if (!access) return null;

    await this.record(auditor, {
      action: 'audit.child_access_viewed',
      subject: { type: 'child', id: childId },
      childId,
      details: { actors: access.actors.length, sequences: access.events.map((event) => event.sequence) },
    });
    return access;
  }

  private record(auditor: StaffMember, record: Omit<AuditRecord, 'actor' | 'purpose'>) {
    return this.dataSource.transaction((manager) =>
      this.audit.record(manager, { ...record, actor: staffActor(auditor), purpose: 'audit' }),
    );
  }
}

function filtered(manager: EntityManager, filters: NarrowedFilters): SelectQueryBuilder<AuditEvent> {
  const builder = manager.createQueryBuilder(AuditEvent, 'event');
  if (filters.childId) builder.andWhere('event.child_id = :childId', { childId: filters.childId });
  if (filters.agency) {
    // No index serves details->>'recipient'; the OR makes this one scan the trail.
    builder.andWhere("(event.on_behalf_of = :agency OR event.details->>'recipient' = :agency)", { agency: filters.agency });
  }
  if (filters.actor) {
    // A built-in account is recorded by its id; auditors know it by its username.
    builder.andWhere('event.actor_id IN (CAST(:actor AS varchar), (SELECT account.id::text FROM staff_account account WHERE account.username = CAST(:actor AS varchar)))', { actor: filters.actor });
  }
  if (filters.action) builder.andWhere('event.action = :action', { action: filters.action });
  if (filters.actions) builder.andWhere('event.action IN (:...actions)', { actions: filters.actions });
  // Compared as Postgres instants, so an offset such as +01:00 and microseconds are honoured.
  if (filters.from) builder.andWhere('event.occurred_at >= CAST(:from AS timestamptz)', { from: filters.from });
  if (filters.to) builder.andWhere('event.occurred_at < CAST(:to AS timestamptz)', { to: filters.to });
  if (filters.correlationId) builder.andWhere('event.correlation_id = :correlationId', { correlationId: filters.correlationId });
  return builder;
}

/** The filters as asked, for the auditor's own audit event: unset ones as null (a narrowing to some actions only when asked). */
function describeFilters(filters: NarrowedFilters): Record<string, string | readonly string[] | null> {
  return {
    ...(filters.actions && { actions: filters.actions }),
    childId: filters.childId ?? null,
    agency: filters.agency ?? null,
    actor: filters.actor ?? null,
    action: filters.action ?? null,
    from: filters.from ?? null,
    to: filters.to ?? null,
    correlationId: filters.correlationId ?? null,
  };
}

export function toView(event: AuditEvent): AuditEventView {
  return {
    sequence: event.sequence,
    occurredAt: event.occurredAt.toISOString(),
    actorType: event.actorType,
    actorId: event.actorId,
    onBehalfOf: event.onBehalfOf,
    action: event.action,
    subjectType: event.subjectType,
    subjectId: event.subjectId,
    childId: event.childId,
    purpose: event.purpose,
    lawfulBasis: event.lawfulBasis,
    correlationId: event.correlationId,
    details: event.details,
    previousHash: event.previousHash,
    hash: event.hash,
  };
}

/** One entry per actor (and the agency or role they acted for), most recently active first. */
function foldActors(rows: ActorActionRow[]): ChildAccessActor[] {
  const actors = new Map<string, ChildAccessActor>();
  for (const row of rows) {
    const key = JSON.stringify([row.actorType, row.actorId, row.onBehalfOf]);
    let actor = actors.get(key);
    if (!actor) {
      actor = {
        actorType: row.actorType,
        actorId: row.actorId,
        onBehalfOf: row.onBehalfOf,
        views: 0,
        shares: 0,
        other: 0,
        firstAt: row.firstAt.toISOString(),
        lastAt: row.lastAt.toISOString(),
        actions: {},
      };
      actors.set(key, actor);
    }
    if (VIEWS.has(row.action)) actor.views += row.count;
    else if (SHARES.has(row.action)) actor.shares += row.count;
    else actor.other += row.count;
    actor.actions[row.action] = row.count;
    // ISO instants in UTC compare correctly as strings.
    if (row.firstAt.toISOString() < actor.firstAt) actor.firstAt = row.firstAt.toISOString();
    if (row.lastAt.toISOString() > actor.lastAt) actor.lastAt = row.lastAt.toISOString();
  }
  return [...actors.values()].sort((a, b) => b.lastAt.localeCompare(a.lastAt) || a.actorId.localeCompare(b.actorId));
}
