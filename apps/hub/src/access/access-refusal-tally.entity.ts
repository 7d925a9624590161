import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { Actor } from '../audit/audit-trail.js';

/**
 * Refused requests counted, not yet in the audit trail: one row per source, reason, route and
 * time window. Requests only add to a count here (never touching the audit chain's head);
 * AccessRefusals flushes each closed window into one chained event and deletes its row.
 */
@Entity('access_refusal_tally')
@Index('ix_access_refusal_tally_window_end', ['windowEnd'])
export class AccessRefusalTally {
  /** SHA-256 of the action, actor, reason, details and window start: the upsert's key. */
  @PrimaryColumn('char', { name: 'key_hash', length: 64, primaryKeyConstraintName: 'pk_access_refusal_tally' })
  keyHash!: string;

  @Column('varchar', { length: 60 })
  action!: string;

  /** Who was refused: an address's anonymous caller, a member of staff, a partner system. */
  @Column('jsonb')
  actor!: Actor;

  @Column('varchar', { length: 300 })
  reason!: string;

  /** What every refusal counted here shares (status, method, route, address or agency). */
  @Column('jsonb')
  details!: Record<string, unknown>;

  @Column('timestamptz', { name: 'window_start' })
  windowStart!: Date;

  @Column('timestamptz', { name: 'window_end' })
  windowEnd!: Date;

  @Column('integer')
  count!: number;

  @Column('timestamptz', { name: 'first_at' })
  firstAt!: Date;

  @Column('timestamptz', { name: 'last_at' })
  lastAt!: Date;
}
