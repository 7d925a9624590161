import type { DataSource } from 'typeorm';
import type { ChainedEvent } from '#audit';

const BATCH_SIZE = 10_000;

interface EventRow {
  sequence: string;
  occurred_at: Date;
  actor_type: string;
  actor_id: string;
  on_behalf_of: string | null;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  child_id: string | null;
  purpose: string | null;
  lawful_basis: string | null;
  correlation_id: string | null;
  details: Record<string, unknown>;
  previous_hash: string;
  hash: string;
}

export function toChainedEvent(row: EventRow): ChainedEvent {
  return {
    sequence: row.sequence,
    occurredAt: row.occurred_at.toISOString(),
    actorType: row.actor_type,
    actorId: row.actor_id,
    onBehalfOf: row.on_behalf_of,
    action: row.action,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    childId: row.child_id,
    purpose: row.purpose,
    lawfulBasis: row.lawful_basis,
    correlationId: row.correlation_id,
    details: row.details,
    previousHash: row.previous_hash,
    hash: row.hash,
  };
}

/**
 * Reads the chain in sequence order, in batches by key (sequence > last), so
 * memory stays flat however long the chain is.
 */
export async function* readChain(dataSource: DataSource, from: bigint, to?: bigint): AsyncGenerator<ChainedEvent> {
  let after = from - 1n;
  for (;;) {
    const rows = (await dataSource.query(
      `SELECT sequence, occurred_at, actor_type, actor_id, on_behalf_of, action, subject_type, subject_id, child_id,
              purpose, lawful_basis, correlation_id, details, previous_hash, hash
         FROM audit_event
        WHERE sequence > $1 AND ($2::bigint IS NULL OR sequence <= $2::bigint)
        ORDER BY sequence
        LIMIT ${BATCH_SIZE}`,
      [after.toString(), to?.toString() ?? null],
    )) as EventRow[];
    for (const row of rows) yield toChainedEvent(row);
    if (rows.length < BATCH_SIZE) return;
    after = BigInt(rows[rows.length - 1].sequence);
  }
}
