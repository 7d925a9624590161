import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import type { Agency, Article6Basis, Article9Condition, SharePurpose, StatutoryGateway } from '#contracts';
import type { RefusalReason } from '#sharing';
import { Child } from '../children/child.entity.js';
import { Contact } from '../contacts/contact.entity.js';
import { Notification } from '../notifications/notification.entity.js';

export const SHARE_DECISIONS = ['pending', 'allowed', 'refused'] as const;
export type ShareDecisionState = (typeof SHARE_DECISIONS)[number];

/**
 * One share and its decision: allowed (and sent through the outbox) or refused, with the reasons,
 * the lawful basis, the policy version and the names of the fields (never their values). An
 * Operation Encompass share is `pending` from intake until the hub has found the school and decided.
 */
@Entity('share')
@Index('ix_share_contact', ['contactId', 'decidedAt'])
@Index('uq_share_encompass', ['notificationId', 'childIndex'], { unique: true, where: "purpose = 'operation_encompass'" })
@Index('ix_share_pending', ['createdAt'], { where: "decision = 'pending'" })
@Index('ix_share_outbox_message', ['outboxMessageId'], { where: 'outbox_message_id IS NOT NULL' })
@Check('ck_share_decision', "decision IN ('pending', 'allowed', 'refused') AND (decision <> 'allowed' OR (outbox_message_id IS NOT NULL AND article6 IS NOT NULL AND policy_version IS NOT NULL)) AND (decision = 'pending' OR decided_at IS NOT NULL)")
@Index('ix_share_awaiting_acknowledgement', ['dueAt'], { where: "decision = 'allowed' AND acknowledged_at IS NULL AND due_at IS NOT NULL AND overdue_alerted_at IS NULL" })
export class Share {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_share' })
  id!: string;

  @Column('varchar', { length: 30 })
  purpose!: SharePurpose;

  @Column('uuid', { name: 'contact_id', nullable: true })
  contactId!: string | null;

  @ManyToOne(() => Contact, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'contact_id', foreignKeyConstraintName: 'fk_share_contact' })
  contact?: Relation<Contact>;

  @Column('uuid', { name: 'child_id', nullable: true })
  childId!: string | null;

  @ManyToOne(() => Child, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'child_id', foreignKeyConstraintName: 'fk_share_child' })
  child?: Relation<Child>;

  /** The notification whose information is shared, when it is one. */
  @Column('uuid', { name: 'notification_id', nullable: true })
  notificationId!: string | null;

  @ManyToOne(() => Notification, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'notification_id', foreignKeyConstraintName: 'fk_share_notification' })
  notification?: Relation<Notification>;

  /** Which of the notification's children it is about. */
  @Column('smallint', { name: 'child_index', nullable: true })
  childIndex!: number | null;

  @Column('varchar', { name: 'recipient_agency', length: 20 })
  recipientAgency!: Agency;

  /** Null while not known (an Encompass notice for a child with no known school). */
  @Column('varchar', { name: 'recipient_organisation', length: 20, nullable: true })
  recipientOrganisation!: string | null;

  @Column('varchar', { length: 10 })
  decision!: ShareDecisionState;

  @Column('jsonb')
  reasons!: RefusalReason[];

  @Column('varchar', { length: 30, nullable: true })
  article6!: Article6Basis | null;

  @Column('varchar', { length: 50, nullable: true })
  article9!: Article9Condition | null;

  @Column('varchar', { length: 50, array: true, default: () => "'{}'" })
  gateways!: StatutoryGateway[];

  /** The consent as it bore on the share, in words. */
  @Column('text', { nullable: true })
  consent!: string | null;

  @Column('varchar', { name: 'policy_version', length: 40, nullable: true })
  policyVersion!: string | null;

  @Column('varchar', { name: 'fields_shared', length: 60, array: true, default: () => "'{}'" })
  fieldsShared!: string[];

  @Column('varchar', { name: 'fields_withheld', length: 60, array: true, default: () => "'{}'" })
  fieldsWithheld!: string[];

  /** Who asked: a member of staff, or the hub itself (Operation Encompass). */
  @Column('varchar', { name: 'requested_by_type', length: 20 })
  requestedByType!: 'person' | 'hub';

  @Column('varchar', { name: 'requested_by_id', length: 500 })
  requestedById!: string;

  @Column('varchar', { name: 'requested_by_name', length: 200 })
  requestedByName!: string;

  /** The asker's justification, when they stated a lawful basis of their own. */
  @Column('text', { nullable: true })
  justification!: string | null;

  @Column('uuid', { name: 'outbox_message_id', nullable: true, unique: false })
  outboxMessageId!: string | null;

  @Column('uuid', { name: 'correlation_id' })
  correlationId!: string;

  /** When the recipient must have it by (Operation Encompass: the start of the next school day). */
  @Column('timestamptz', { name: 'due_at', nullable: true })
  dueAt!: Date | null;

  @Column('timestamptz', { name: 'delivered_at', nullable: true })
  deliveredAt!: Date | null;

  @Column('timestamptz', { name: 'acknowledged_at', nullable: true })
  acknowledgedAt!: Date | null;

  /** When the MASH manager was alerted that it was not acknowledged by its deadline. */
  @Column('timestamptz', { name: 'overdue_alerted_at', nullable: true })
  overdueAlertedAt!: Date | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'decided_at', nullable: true })
  decidedAt!: Date | null;
}
