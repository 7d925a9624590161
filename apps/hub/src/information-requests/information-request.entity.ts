import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import type { Agency } from '#contracts';
import { Child } from '../children/child.entity.js';
import { Contact } from '../contacts/contact.entity.js';
import { Share } from '../sharing/share.entity.js';

export const INFORMATION_REQUEST_STATUSES = ['sent', 'refused', 'answered', 'withdrawn'] as const;
export type InformationRequestStatus = (typeof INFORMATION_REQUEST_STATUSES)[number];

/**
 * A question the MASH asked one partner organisation about a contact's child: carried by a share
 * (refused when the sharing decision refused it), due by the contact's RAG, then answered by the
 * organisation or withdrawn by the MASH. Escalated to the manager once if still unanswered when due.
 */
@Entity('information_request')
@Index('ix_information_request_contact', ['contactId', 'requestedAt'])
@Index('uq_information_request_share', ['shareId'], { unique: true })
@Index('ix_information_request_due', ['dueAt'], { where: "status = 'sent' AND escalated_at IS NULL" })
@Check(
  'ck_information_request_status',
  "status IN ('sent', 'refused', 'answered', 'withdrawn') AND (status <> 'answered' OR (answered_at IS NOT NULL AND answer IS NOT NULL AND answer_id IS NOT NULL)) AND (status <> 'withdrawn' OR withdrawn_at IS NOT NULL)",
)
export class InformationRequest {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_information_request' })
  id!: string;

  @Column('uuid', { name: 'contact_id' })
  contactId!: string;

  @ManyToOne(() => Contact, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'contact_id', foreignKeyConstraintName: 'fk_information_request_contact' })
  contact?: Relation<Contact>;

  @Column('uuid', { name: 'child_id' })
  childId!: string;

  @ManyToOne(() => Child, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'child_id', foreignKeyConstraintName: 'fk_information_request_child' })
  child?: Relation<Child>;

  /** The share that carried the question (allowed or refused). */
  @Column('uuid', { name: 'share_id' })
  shareId!: string;

  @ManyToOne(() => Share, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'share_id', foreignKeyConstraintName: 'fk_information_request_share' })
  share?: Relation<Share>;

  @Column('varchar', { name: 'recipient_agency', length: 20 })
  recipientAgency!: Agency;

  @Column('varchar', { name: 'recipient_organisation', length: 20 })
  recipientOrganisation!: string;

  @Column('text')
  question!: string;

  @Column('timestamptz', { name: 'due_at' })
  dueAt!: Date;

  @Column('varchar', { length: 20 })
  status!: InformationRequestStatus;

  @Column('varchar', { name: 'requested_by_id', length: 500 })
  requestedById!: string;

  @Column('varchar', { name: 'requested_by_name', length: 200 })
  requestedByName!: string;

  @Column('timestamptz', { name: 'requested_at' })
  requestedAt!: Date;

  @Column('uuid', { name: 'correlation_id' })
  correlationId!: string;

  @Column('timestamptz', { name: 'answered_at', nullable: true })
  answeredAt!: Date | null;

  @Column('text', { nullable: true })
  answer!: string | null;

  /** The adapter's id of the answer: the same answer delivered again is recognised by it. */
  @Column('uuid', { name: 'answer_id', nullable: true })
  answerId!: string | null;

  /** The partner system's credential that answered. */
  @Column('uuid', { name: 'answered_by_credential_id', nullable: true })
  answeredByCredentialId!: string | null;

  @Column('varchar', { name: 'answered_by_system', length: 100, nullable: true })
  answeredBySystem!: string | null;

  @Column('varchar', { name: 'withdrawn_by_id', length: 500, nullable: true })
  withdrawnById!: string | null;

  @Column('varchar', { name: 'withdrawn_by_name', length: 200, nullable: true })
  withdrawnByName!: string | null;

  @Column('timestamptz', { name: 'withdrawn_at', nullable: true })
  withdrawnAt!: Date | null;

  @Column('text', { name: 'withdraw_reason', nullable: true })
  withdrawReason!: string | null;

  /** When the overdue request was escalated to the manager; once only. */
  @Column('timestamptz', { name: 'escalated_at', nullable: true })
  escalatedAt!: Date | null;
}
