import {
  Column,
  CreateDateColumn,
  Entity,
  Generated,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  UpdateDateColumn,
  type Relation,
} from 'typeorm';
import type { Agency, Rag } from '#contracts';
import { CONTACT_STATES, FINISHED_STATES, MASH_STATES, type ContactState } from '#screening';
import { Child } from '../children/child.entity.js';

export const CONTACT_STATUSES = CONTACT_STATES;
export type ContactStatus = ContactState;
export const OPEN_CONTACT_STATUSES: readonly ContactStatus[] = MASH_STATES;

/** SQL: the contact is not finished (closed, or gone to its allocated worker), so a new notice about the child joins it. */
export const UNFINISHED_CONTACT_SQL = `status NOT IN (${FINISHED_STATES.map((state) => `'${state}'`).join(', ')})`;

/**
 * SQL: the decision deadline as the queue sorts it, soonest first; one not set yet (a contact just
 * received, before the deadline watcher sets it) last. The queue's indexes are on this expression.
 */
export const QUEUE_DEADLINE_SQL = `coalesce(contact.decision_due_at, CAST('infinity' AS timestamptz))`;

/**
 * A contact: the hub's unit of work about one child. Notifications about a
 * child who already has an open contact join it rather than starting another.
 */
@Entity('contact')
@Index('uq_contact_open_per_child', ['childId'], { unique: true, where: UNFINISHED_CONTACT_SQL })
@Index('ix_contact_queue', ['status', 'receivedAt', 'id'])
@Index('ix_contact_open_queue', ['receivedAt', 'id'], { where: UNFINISHED_CONTACT_SQL })
@Index('ix_contact_decision_due', ['decisionDueAt'], { where: `decision_escalated_at IS NULL AND ${UNFINISHED_CONTACT_SQL}` })
@Index('ix_contact_decision_due_unset', ['receivedAt'], { where: `decision_due_at IS NULL AND ${UNFINISHED_CONTACT_SQL}` })
@Index('ix_contact_received', ['receivedAt', 'id'])
@Index('ix_contact_child', ['childId', 'receivedAt'])
@Index('ix_contact_agency_received', ['referringAgency', 'receivedAt', 'id'])
// On the deadline as the queue sorts it (QUEUE_DEADLINE_SQL), which TypeORM cannot describe: made by the migration.
@Index('ix_contact_open_deadline', { synchronize: false })
@Index('ix_contact_open_agency_deadline', { synchronize: false })
@Index('ix_contact_status_deadline', { synchronize: false })
@Index('ix_contact_deadline', { synchronize: false })
export class Contact {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_contact' })
  id!: string;

  /** A short number screeners can say aloud. */
  @Column('bigint', { unique: false })
  @Generated('increment')
  number!: string;

  @Column('uuid', { name: 'child_id' })
  childId!: string;

  @ManyToOne(() => Child, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'child_id', foreignKeyConstraintName: 'fk_contact_child' })
  child?: Relation<Child>;

  @Column('varchar', { length: 30 })
  status!: ContactStatus;

  /** Set by a screener at first screening; null until then. */
  @Column('varchar', { length: 5, nullable: true })
  rag!: Rag | null;

  /** The most urgent grading any linked notification's sender gave. */
  @Column('varchar', { name: 'sender_urgency', length: 5 })
  senderUrgency!: Rag;

  /** The agency whose notification opened the contact; null only for contacts made without one. */
  @Column('varchar', { name: 'referring_agency', length: 20, nullable: true })
  referringAgency!: Agency | null;

  /** When the first notification of this contact reached the hub. */
  @Column('timestamptz', { name: 'received_at' })
  receivedAt!: Date;

  @Column('timestamptz', { name: 'last_notification_at' })
  lastNotificationAt!: Date;

  @Column('integer', { name: 'notification_count' })
  notificationCount!: number;

  /** The screener who started screening it. */
  @Column('varchar', { name: 'screener_id', length: 500, nullable: true })
  screenerId!: string | null;

  @Column('varchar', { name: 'screener_name', length: 200, nullable: true })
  screenerName!: string | null;

  /** When the decision is due: from receipt, by the screener's RAG (the sender's urgency until then). */
  @Column('timestamptz', { name: 'decision_due_at', nullable: true })
  decisionDueAt!: Date | null;

  /** When the manager was told the decision is late; once only. */
  @Column('timestamptz', { name: 'decision_escalated_at', nullable: true })
  decisionEscalatedAt!: Date | null;

  /** The child's allocated social worker and team, when the contact went to them instead of the MASH. */
  @Column('varchar', { name: 'allocated_worker', length: 200, nullable: true })
  allocatedWorker!: string | null;

  @Column('varchar', { name: 'allocated_team', length: 200, nullable: true })
  allocatedTeam!: string | null;

  /** The earlier contact, a referral within the re-referral window, that this one repeats. */
  @Column('uuid', { name: 're_referral_of', nullable: true })
  reReferralOf!: string | null;

  /** Low-level (green) notices about the child in the repeat window, when they reach the count that flags it. */
  @Column('smallint', { name: 'low_level_repeats', nullable: true })
  lowLevelRepeats!: number | null;

  /** When it was closed or went to the allocated worker. */
  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
