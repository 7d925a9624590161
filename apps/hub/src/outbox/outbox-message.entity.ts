import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A message the hub has decided to send, written in the same transaction as
 * the change that caused it. The relay publishes it with its id as the job id.
 */
@Entity('outbox_message')
@Index('ix_outbox_message_unpublished', ['createdAt'], { where: 'published_at IS NULL' })
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
}
