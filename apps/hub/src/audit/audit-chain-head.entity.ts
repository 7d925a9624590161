import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The last event of the chain. Appending locks this one row, so concurrent
 * writers take turns: no two events share a predecessor and no sequence number is skipped.
 */
@Entity('audit_chain_head')
@Check('ck_audit_chain_head_single_row', 'id = 1')
export class AuditChainHead {
  @PrimaryColumn('smallint', { primaryKeyConstraintName: 'pk_audit_chain_head' })
  id!: number;

  @Column('bigint')
  sequence!: string;

  @Column('char', { length: 64 })
  hash!: string;
}
