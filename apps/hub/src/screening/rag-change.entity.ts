import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import type { Rag } from '#contracts';
import { Contact } from '../contacts/contact.entity.js';

/** A screener's RAG for a contact, with the reason: the first rating and every change. Append-only. */
@Entity('rag_change')
@Index('ix_rag_change_contact', ['contactId', 'changedAt'])
export class RagChange {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_rag_change' })
  id!: string;

  @Column('uuid', { name: 'contact_id' })
  contactId!: string;

  @ManyToOne(() => Contact, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'contact_id', foreignKeyConstraintName: 'fk_rag_change_contact' })
  contact?: Relation<Contact>;

  /** Null for the first rating. */
  @Column('varchar', { name: 'from_rag', length: 5, nullable: true })
  fromRag!: Rag | null;

  @Column('varchar', { name: 'to_rag', length: 5 })
  toRag!: Rag;

  @Column('text')
  reason!: string;

  @Column('varchar', { name: 'changed_by_id', length: 500 })
  changedById!: string;

  @Column('varchar', { name: 'changed_by_name', length: 200 })
  changedByName!: string;

  @Column('timestamptz', { name: 'changed_at' })
  changedAt!: Date;
}
