import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import type { ContactOutcome } from '#contracts';
import { Contact } from '../contacts/contact.entity.js';

/**
 * A screener's decision on a contact and its manager's sign-off. A decision the manager returns
 * stays, marked returned with the reason; the next decision is a new row.
 */
@Entity('contact_decision')
@Index('ix_contact_decision_contact', ['contactId', 'decidedAt'])
@Index('uq_contact_decision_current', ['contactId'], { unique: true, where: 'returned_at IS NULL' })
@Check('ck_contact_decision_sign_off', 'signed_off_at IS NULL OR returned_at IS NULL')
export class ContactDecision {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_contact_decision' })
  id!: string;

  @Column('uuid', { name: 'contact_id' })
  contactId!: string;

  @ManyToOne(() => Contact, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'contact_id', foreignKeyConstraintName: 'fk_contact_decision_contact' })
  contact?: Relation<Contact>;

  @Column('varchar', { length: 40 })
  outcome!: ContactOutcome;

  /** DfE primary need code, N0 to N9. */
  @Column('varchar', { name: 'primary_need', length: 2 })
  primaryNeed!: string;

  /** Level of need, 1 to 4. */
  @Column('smallint', { name: 'level_of_need' })
  levelOfNeed!: number;

  @Column('text')
  rationale!: string;

  @Column('varchar', { name: 'decided_by_id', length: 500 })
  decidedById!: string;

  @Column('varchar', { name: 'decided_by_name', length: 200 })
  decidedByName!: string;

  /** The decider's team when they decided, so the timeliness figures stay as they were if the person moves team. */
  @Column('varchar', { name: 'decided_by_team', length: 100, nullable: true })
  decidedByTeam!: string | null;

  @Column('timestamptz', { name: 'decided_at' })
  decidedAt!: Date;

  @Column('varchar', { name: 'signed_off_by_id', length: 500, nullable: true })
  signedOffById!: string | null;

  @Column('varchar', { name: 'signed_off_by_name', length: 200, nullable: true })
  signedOffByName!: string | null;

  @Column('timestamptz', { name: 'signed_off_at', nullable: true })
  signedOffAt!: Date | null;

  @Column('varchar', { name: 'returned_by_name', length: 200, nullable: true })
  returnedByName!: string | null;

  @Column('timestamptz', { name: 'returned_at', nullable: true })
  returnedAt!: Date | null;

  @Column('text', { name: 'return_reason', nullable: true })
  returnReason!: string | null;
}
