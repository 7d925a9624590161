import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const ACTOR_TYPES = ['person', 'agency_system', 'hub'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

/**
 * One act on personal data: who, what, about which records and child, why, and
 * when. Rows are only ever inserted, in the same transaction as the change they
 * record, and chained: each carries its predecessor's hash and its own.
 */
@Entity('audit_event')
@Index('ix_audit_event_child', ['childId', 'sequence'])
@Index('ix_audit_event_subject', ['subjectType', 'subjectId'])
@Index('ix_audit_event_correlation', ['correlationId'])
@Index('ix_audit_event_actor', ['actorId', 'sequence'])
@Index('ix_audit_event_occurred_at', ['occurredAt'])
export class AuditEvent {
  /** Position in the chain: 1, 2, 3 ... with no gaps. */
  @PrimaryColumn('bigint', { primaryKeyConstraintName: 'pk_audit_event' })
  sequence!: string;

  @Column('timestamptz', { name: 'occurred_at' })
  occurredAt!: Date;

  @Column('varchar', { name: 'actor_type', length: 20 })
  actorType!: ActorType;

  /** A person's stable subject at their issuer (details name the issuer and the name shown), or an agency system's id. */
  @Column('varchar', { name: 'actor_id', length: 500 })
  actorId!: string;

  /** The agency, team or role the actor acted for. */
  @Column('varchar', { name: 'on_behalf_of', length: 100, nullable: true })
  onBehalfOf!: string | null;

  @Column('varchar', { length: 60 })
  action!: string;

  /** The record acted on; null for acts on many records (a list, a search), which name them in details. */
  @Column('varchar', { name: 'subject_type', length: 40, nullable: true })
  subjectType!: string | null;

  @Column('uuid', { name: 'subject_id', nullable: true })
  subjectId!: string | null;

  @Column('uuid', { name: 'child_id', nullable: true })
  childId!: string | null;

  @Column('varchar', { length: 200, nullable: true })
  purpose!: string | null;

  @Column('varchar', { name: 'lawful_basis', length: 300, nullable: true })
  lawfulBasis!: string | null;

  @Column('uuid', { name: 'correlation_id', nullable: true })
  correlationId!: string | null;

  /** Ids, codes and reasons only: never names, dates of birth or narratives. */
  @Column('jsonb')
  details!: Record<string, unknown>;

  @Column('char', { name: 'previous_hash', length: 64 })
  previousHash!: string;

  @Column('char', { length: 64 })
  hash!: string;
}
