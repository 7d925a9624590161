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
import type { Rag } from '#contracts';
import { Child } from '../children/child.entity.js';

export const CONTACT_STATUSES = ['awaiting_screening', 'closed'] as const;
export type ContactStatus = (typeof CONTACT_STATUSES)[number];
export const OPEN_CONTACT_STATUSES: ContactStatus[] = ['awaiting_screening'];

/**
 * A contact: the hub's unit of work about one child. Notifications about a
 * child who already has an open contact join it rather than starting another.
 */
@Entity('contact')
@Index('uq_contact_open_per_child', ['childId'], { unique: true, where: "status <> 'closed'" })
@Index('ix_contact_queue', ['status', 'receivedAt', 'id'])
@Index('ix_contact_open_queue', ['receivedAt', 'id'], { where: "status <> 'closed'" })
@Index('ix_contact_received', ['receivedAt', 'id'])
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

  /** When the first notification of this contact reached the hub. */
  @Column('timestamptz', { name: 'received_at' })
  receivedAt!: Date;

  @Column('timestamptz', { name: 'last_notification_at' })
  lastNotificationAt!: Date;

  @Column('integer', { name: 'notification_count' })
  notificationCount!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
