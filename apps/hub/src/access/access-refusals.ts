import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { canonicalJson } from '#audit';
import { AuditTrail, type Actor, type AuditRecord } from '../audit/audit-trail.js';
import { HubConfig } from '../config.js';

export interface AccessRefusal {
  action: 'access.denied' | 'token.refused';
  actor: Actor;
  /** Why, in words that do not vary per request (no tokens, paths or ids of the caller's choosing). */
  reason: string;
  /** What identifies the source and the route: status, method, route template, address or agency. */
  details: Record<string, unknown>;
}

const FLUSH_BATCH = 200;

/**
 * Refused requests go into the audit trail counted: one event per source, reason, route and
 * window of ACCESS_REFUSAL_WINDOW_SECONDS, with the count and the first and last time. A
 * refusal only adds one to a row of access_refusal_tally, so a flood of unauthenticated
 * requests neither grows the chain per request nor queues behind intake for the chain head.
 *
 * Safe with several hub processes: counting is one upsert; a flush claims closed windows with
 * FOR UPDATE SKIP LOCKED and writes their events and deletes their rows in one transaction, so a
 * count is written exactly once. A refusal that arrives while its row is being flushed waits,
 * then starts a new row for the same window, flushed later: no count is lost.
 */
@Injectable()
export class AccessRefusals implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AccessRefusals.name);
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<unknown> = Promise.resolve();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
    @Inject(HubConfig) private readonly config: HubConfig,
  ) {}

  /** Counts one refusal in the current window. Never touches the audit chain. */
  async count(refusal: AccessRefusal, at = new Date()): Promise<void> {
    const windowMs = this.config.ACCESS_REFUSAL_WINDOW_SECONDS * 1000;
    const windowStart = new Date(Math.floor(at.getTime() / windowMs) * windowMs);
    const reason = refusal.reason.slice(0, 300);
    const keyHash = createHash('sha256')
      .update(canonicalJson([refusal.action, refusal.actor, reason, refusal.details, windowStart.toISOString()]))
      .digest('hex');
    await this.dataSource.query(
      `INSERT INTO access_refusal_tally AS tally (key_hash, action, actor, reason, details, window_start, window_end, count, first_at, last_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8)
       ON CONFLICT (key_hash) DO UPDATE SET count = tally.count + 1,
         first_at = least(tally.first_at, EXCLUDED.first_at), last_at = greatest(tally.last_at, EXCLUDED.last_at)`,
      [keyHash, refusal.action, refusal.actor, reason, refusal.details, windowStart, new Date(windowStart.getTime() + windowMs), at],
    );
  }

  /**
   * Writes counted refusals to the audit trail: those whose window has closed, or (at
   * shutdown) all of them. Returns how many events it appended.
   */
  flush({ all = false } = {}): Promise<number> {
    // One flush at a time in this process; other processes are kept apart by SKIP LOCKED.
    const run = this.flushing.then(() => this.flushBatches(all));
    this.flushing = run.catch(() => undefined);
    return run;
  }

  private async flushBatches(all: boolean): Promise<number> {
    let appended = 0;
    for (;;) {
      const batch = await this.dataSource.transaction(async (manager) => {
        const rows = (await manager.query(
          `SELECT key_hash, action, actor, reason, details, window_start, window_end, count, first_at, last_at
             FROM access_refusal_tally WHERE $1 OR window_end <= now()
            ORDER BY window_start, first_at, key_hash LIMIT ${FLUSH_BATCH} FOR UPDATE SKIP LOCKED`,
          [all],
        )) as TallyRow[];
        if (!rows.length) return 0;
        await this.audit.append(manager, rows.map(toAuditRecord));
        await manager.query('DELETE FROM access_refusal_tally WHERE key_hash = ANY($1)', [rows.map((row) => row.key_hash)]);
        return rows.length;
      });
      appended += batch;
      if (batch < FLUSH_BATCH) return appended;
    }
  }

  onApplicationBootstrap(): void {
    // Often enough that a closed window reaches the trail soon after it closes.
    const everyMs = Math.max(1000, Math.min(this.config.ACCESS_REFUSAL_WINDOW_SECONDS * 1000, 10_000));
    this.timer = setInterval(() => {
      this.flush().catch((error: Error) => {
        // The counts stay in the table; the next flush (here or in another process) writes them.
        this.logger.error({ message: 'could not write counted access refusals to the audit trail; will retry', error: error.message });
      });
    }, everyMs);
    this.timer.unref();
  }

  /** Before the database closes: every count, the open windows' too, goes into the trail. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    try {
      const appended = await this.flush({ all: true });
      if (appended) this.logger.log({ message: 'wrote counted access refusals to the audit trail at shutdown', events: appended });
    } catch (error) {
      // Not lost: the counts stay in access_refusal_tally and the next hub to flush writes them. The rest of shutdown must still run.
      this.logger.error({ message: 'could not write counted access refusals at shutdown; they stay counted for the next hub', error: (error as Error).message });
    }
  }
}

interface TallyRow {
  key_hash: string;
  action: AccessRefusal['action'];
  actor: Actor;
  reason: string;
  details: Record<string, unknown>;
  window_start: Date;
  window_end: Date;
  count: number;
  first_at: Date;
  last_at: Date;
}

function toAuditRecord(row: TallyRow): AuditRecord {
  return {
    actor: row.actor,
    action: row.action,
    purpose: 'access control',
    details: {
      ...row.details,
      reason: row.reason,
      count: row.count,
      firstAt: row.first_at.toISOString(),
      lastAt: row.last_at.toISOString(),
      windowStart: row.window_start.toISOString(),
      windowEnd: row.window_end.toISOString(),
    },
  };
}
