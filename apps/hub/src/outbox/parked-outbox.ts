import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

/** An outbox message the relay gave up on after OUTBOX_MAX_ATTEMPTS failed publishes. */
export interface ParkedMessage {
  id: string;
  queue: string;
  pattern: string;
  correlationId: string | null;
  createdAt: string;
  publishAttempts: number;
  lastError: string | null;
  parkedAt: string;
}

/** What operators see of parked outbox messages, and how they send one again. */
@Injectable()
export class ParkedOutbox {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Most recently parked first. Payloads are left out: operators need the cause, not the content. */
  async list(page: { offset: number; limit: number }): Promise<{ items: ParkedMessage[]; total: number }> {
    const rows = (await this.dataSource.query(
      `SELECT id, queue, pattern, correlation_id, created_at, publish_attempts, last_error, parked_at, count(*) OVER () AS total
         FROM outbox_message WHERE parked_at IS NOT NULL
        ORDER BY parked_at DESC, id LIMIT $1 OFFSET $2`,
      [page.limit, page.offset],
    )) as Array<Record<string, unknown>>;
    const total = rows.length
      ? Number(rows[0].total)
      : Number(((await this.dataSource.query('SELECT count(*) AS n FROM outbox_message WHERE parked_at IS NOT NULL')) as [{ n: string }])[0].n);
    return {
      total,
      items: rows.map((row) => ({
        id: row.id as string,
        queue: row.queue as string,
        pattern: row.pattern as string,
        correlationId: (row.correlation_id as string | null) ?? null,
        createdAt: (row.created_at as Date).toISOString(),
        publishAttempts: row.publish_attempts as number,
        lastError: (row.last_error as string | null) ?? null,
        parkedAt: (row.parked_at as Date).toISOString(),
      })),
    };
  }

  /** Due again at once with its attempts reset; false when no parked message has this id. */
  async retry(id: string, manager: EntityManager = this.dataSource.manager): Promise<boolean> {
    const [, updated] = (await manager.query(
      `UPDATE outbox_message SET parked_at = NULL, publish_attempts = 0, next_attempt_at = now(), claimed_until = NULL
        WHERE id = $1 AND parked_at IS NOT NULL`,
      [id],
    )) as [unknown, number];
    return updated === 1;
  }
}
