import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Child } from './child.entity.js';
import { PossibleMatch } from './possible-match.entity.js';

/**
 * One child merged into another, with exactly what moved (contacts, shares, an NHS number), so an
 * unmerge puts back that and nothing else. A merged child has at most one merge standing.
 */
@Entity('child_merge')
@Index('uq_child_merge_standing', ['mergedChildId'], { unique: true, where: 'unmerged_at IS NULL' })
@Index('ix_child_merge_surviving', ['survivingChildId'])
export class ChildMerge {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_child_merge' })
  id!: string;

  @Column('uuid', { name: 'surviving_child_id' })
  survivingChildId!: string;

  @ManyToOne(() => Child, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'surviving_child_id', foreignKeyConstraintName: 'fk_child_merge_surviving_child' })
  survivingChild?: Relation<Child>;

  @Column('uuid', { name: 'merged_child_id' })
  mergedChildId!: string;

  @ManyToOne(() => Child, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'merged_child_id', foreignKeyConstraintName: 'fk_child_merge_merged_child' })
  mergedChild?: Relation<Child>;

  @Column('uuid', { name: 'possible_match_id', nullable: true })
  possibleMatchId!: string | null;

  @ManyToOne(() => PossibleMatch, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'possible_match_id', foreignKeyConstraintName: 'fk_child_merge_possible_match' })
  possibleMatch?: Relation<PossibleMatch>;

  @Column('uuid', { name: 'moved_contact_ids', array: true })
  movedContactIds!: string[];

  @Column('uuid', { name: 'moved_share_ids', array: true })
  movedShareIds!: string[];

  /** The merged child's NHS number, given to a survivor that had none. */
  @Column('varchar', { name: 'moved_nhs_number', length: 10, nullable: true })
  movedNhsNumber!: string | null;

  @Column('varchar', { name: 'merged_by_id', length: 500 })
  mergedById!: string;

  @Column('varchar', { name: 'merged_by_name', length: 200 })
  mergedByName!: string;

  @Column('timestamptz', { name: 'merged_at' })
  mergedAt!: Date;

  @Column('varchar', { name: 'unmerged_by_id', length: 500, nullable: true })
  unmergedById!: string | null;

  @Column('varchar', { name: 'unmerged_by_name', length: 200, nullable: true })
  unmergedByName!: string | null;

  @Column('timestamptz', { name: 'unmerged_at', nullable: true })
  unmergedAt!: Date | null;
}
