import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A signed statement of the chain head at a moment, kept so that cutting events off the end shows. */
@Entity('audit_checkpoint')
@Index('ix_audit_checkpoint_sequence', ['sequence'])
export class AuditCheckpoint {
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'pk_audit_checkpoint' })
  id!: string;

  @Column('bigint')
  sequence!: string;

  @Column('char', { length: 64 })
  hash!: string;

  @Column('timestamptz', { name: 'signed_at' })
  signedAt!: Date;

  @Column('char', { name: 'key_id', length: 64 })
  keyId!: string;

  @Column('text', { name: 'public_key' })
  publicKey!: string;

  @Column('text')
  signature!: string;
}
