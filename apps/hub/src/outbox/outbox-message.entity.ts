import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A message the hub has decided to send, written in the same transaction as
 * the change that caused it. The relay publishes it with its id as the job id.
 * It claims due rows for a lease (claimed_until), retries a failed row at
 * next_attempt_at, parks one that keeps failing (parked_at) for an operator,
 * and deletes published rows after the retention period.
 */
@Entity('outbox_message')
@Index('ix_outbox_message_due', ['nextAttemptAt'], { where: 'published_at IS NULL AND parked_at IS NULL' })
@Index('ix_outbox_message_published', ['publishedAt'], { where: 'published_at IS NOT NULL' })
@Index('ix_outbox_message_parked', ['parkedAt'], { where: 'parked_at IS NOT NULL' })
export class OutboxMessage {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_outbox_message' })
  id!: string;

  @Column('varchar', { length: 100 })
  queue!: string;

  @Column('varchar', { length: 100 })
  pattern!: string;

  @Column('jsonb')
  payload!: Record<string, unknown>;

  @Column('uuid', { name: 'correlation_id', nullable: true })
  correlationId!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'published_at', nullable: true })
  publishedAt!: Date | null;

  @Column('integer', { name: 'publish_attempts', default: 0 })
  publishAttempts!: number;

  @Column('text', { name: 'last_error', nullable: true })
  lastError!: string | null;

  /** Not tried before this time: now for a new row, later after each failure (backoff). */
  @Column('timestamptz', { name: 'next_attempt_at', default: () => 'now()' })
  nextAttemptAt!: Date;

  /** A relay is publishing it until then; after it, another relay may take it (the first stopped). */
  @Column('timestamptz', { name: 'claimed_until', nullable: true })
  claimedUntil!: Date | null;

  /** Set when it failed OUTBOX_MAX_ATTEMPTS times: no longer tried until an operator retries it. */
  @Column('timestamptz', { name: 'parked_at', nullable: true })
  parkedAt!: Date | null;
}
