import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import type { ConsentGiver, ConsentNotSoughtReason, ConsentStatus } from '#contracts';
import { Contact } from '../contacts/contact.entity.js';

/**
 * A consent decision MASH staff recorded on a contact, or a manager's override of a refusal with its
 * justification. Append-only (the application may insert, never change): the history is the record.
 * Partners' own consent decisions are read from their notifications, never re-keyed here.
 */
@Entity('consent_record')
@Check('ck_consent_record_kind', "(kind = 'decision' AND status IS NOT NULL AND justification IS NULL) OR (kind = 'override' AND status IS NULL AND justification IS NOT NULL)")
@Index('ix_consent_record_contact', ['contactId', 'recordedAt'])
export class ConsentRecord {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_consent_record' })
  id!: string;

  @Column('uuid', { name: 'contact_id' })
  contactId!: string;

  @ManyToOne(() => Contact, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'contact_id', foreignKeyConstraintName: 'fk_consent_record_contact' })
  contact?: Relation<Contact>;

  @Column('varchar', { length: 10 })
  kind!: 'decision' | 'override';

  @Column('varchar', { length: 20, nullable: true })
  status!: ConsentStatus | null;

  @Column('varchar', { name: 'given_by', length: 30, nullable: true })
  givenBy!: ConsentGiver | null;

  @Column('varchar', { name: 'not_sought_reason', length: 50, nullable: true })
  notSoughtReason!: ConsentNotSoughtReason | null;

  @Column('text', { nullable: true })
  notes!: string | null;

  /** An override's written safeguarding justification. */
  @Column('text', { nullable: true })
  justification!: string | null;

  @Column('varchar', { name: 'recorded_by_id', length: 500 })
  recordedById!: string;

  @Column('varchar', { name: 'recorded_by_name', length: 200 })
  recordedByName!: string;

  @Column('timestamptz', { name: 'recorded_at' })
  recordedAt!: Date;
}
