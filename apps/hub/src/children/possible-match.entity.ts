import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Child } from './child.entity.js';

export const POSSIBLE_MATCH_STATUSES = ['open', 'linked', 'kept_apart'] as const;
export type PossibleMatchStatus = (typeof POSSIBLE_MATCH_STATUSES)[number];

/**
 * Two children who may be one: the child registered at intake (childId) and the known child it
 * resembled (otherChildId), with the score and reasons. A screener links them (a merge) or keeps
 * them apart; the decision, who made it and when stay on the row.
 */
@Entity('possible_match')
@Check('ck_possible_match_status', "status IN ('open', 'linked', 'kept_apart') AND (status = 'open') = (decided_at IS NULL)")
@Index('uq_possible_match_pair', ['childId', 'otherChildId'], { unique: true })
@Index('ix_possible_match_review', ['status', 'foundAt', 'id'])
@Index('ix_possible_match_other_child', ['otherChildId'])
export class PossibleMatch {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_possible_match' })
  id!: string;

  @Column('uuid', { name: 'child_id' })
  childId!: string;

  @ManyToOne(() => Child, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'child_id', foreignKeyConstraintName: 'fk_possible_match_child' })
  child?: Relation<Child>;

  @Column('uuid', { name: 'other_child_id' })
  otherChildId!: string;

  @ManyToOne(() => Child, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'other_child_id', foreignKeyConstraintName: 'fk_possible_match_other_child' })
  otherChild?: Relation<Child>;

  @Column('real')
  score!: number;

  @Column('jsonb')
  reasons!: string[];

  @Column('varchar', { length: 12 })
  status!: PossibleMatchStatus;

  @Column('timestamptz', { name: 'found_at' })
  foundAt!: Date;

  /** The notification whose child was found to resemble the other. */
  @Column('uuid', { name: 'notification_id', nullable: true })
  notificationId!: string | null;

  @Column('varchar', { name: 'decided_by_id', length: 500, nullable: true })
  decidedById!: string | null;

  @Column('varchar', { name: 'decided_by_name', length: 200, nullable: true })
  decidedByName!: string | null;

  @Column('timestamptz', { name: 'decided_at', nullable: true })
  decidedAt!: Date | null;
}
