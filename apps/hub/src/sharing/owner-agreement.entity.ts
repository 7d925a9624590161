import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import type { Agency } from '#contracts';
import { Contact } from '../contacts/contact.entity.js';

/**
 * An owning agency's agreement, recorded on a contact, that what it told the MASH may go on to another
 * agency. Append-only.
 */
@Entity('owner_agreement')
@Index('ix_owner_agreement_contact', ['contactId', 'ownerAgency', 'recipientAgency'])
export class OwnerAgreement {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_owner_agreement' })
  id!: string;

  @Column('uuid', { name: 'contact_id' })
  contactId!: string;

  @ManyToOne(() => Contact, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'contact_id', foreignKeyConstraintName: 'fk_owner_agreement_contact' })
  contact?: Relation<Contact>;

  @Column('varchar', { name: 'owner_agency', length: 20 })
  ownerAgency!: Agency;

  @Column('varchar', { name: 'recipient_agency', length: 20 })
  recipientAgency!: Agency;

  /** Who agreed at the owning agency (name and role), as they told the MASH. */
  @Column('varchar', { name: 'agreed_by', length: 200 })
  agreedBy!: string;

  @Column('text', { nullable: true })
  notes!: string | null;

  @Column('varchar', { name: 'recorded_by_id', length: 500 })
  recordedById!: string;

  @Column('varchar', { name: 'recorded_by_name', length: 200 })
  recordedByName!: string;

  @Column('timestamptz', { name: 'recorded_at' })
  recordedAt!: Date;
}
