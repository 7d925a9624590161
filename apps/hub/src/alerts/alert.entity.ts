import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Contact } from '../contacts/contact.entity.js';
import { Share } from '../sharing/share.entity.js';

export const ALERT_KINDS = ['encompass_unacknowledged', 'encompass_no_school', 'decision_overdue', 'information_overdue'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export const ALERT_AUDIENCES = ['screener', 'manager'] as const;
export type AlertAudience = (typeof ALERT_AUDIENCES)[number];

/** Something a screener or the MASH manager must see and act on; raised once per kind and share. */
@Entity('alert')
@Index('uq_alert_share_kind', ['shareId', 'kind'], { unique: true })
@Index('ix_alert_open', ['audience', 'raisedAt'], { where: 'resolved_at IS NULL' })
export class Alert {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_alert' })
  id!: string;

  @Column('varchar', { length: 40 })
  kind!: AlertKind;

  @Column('varchar', { length: 20 })
  audience!: AlertAudience;

  @Column('uuid', { name: 'contact_id', nullable: true })
  contactId!: string | null;

  @ManyToOne(() => Contact, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'contact_id', foreignKeyConstraintName: 'fk_alert_contact' })
  contact?: Relation<Contact>;

  @Column('uuid', { name: 'share_id', nullable: true })
  shareId!: string | null;

  @ManyToOne(() => Share, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'share_id', foreignKeyConstraintName: 'fk_alert_share' })
  share?: Relation<Share>;

  /** What happened and what to do, without personal data (the contact holds that). */
  @Column('text')
  message!: string;

  @Column('timestamptz', { name: 'raised_at' })
  raisedAt!: Date;

  @Column('timestamptz', { name: 'resolved_at', nullable: true })
  resolvedAt!: Date | null;

  @Column('varchar', { name: 'resolved_by_id', length: 500, nullable: true })
  resolvedById!: string | null;

  @Column('varchar', { name: 'resolved_by_name', length: 200, nullable: true })
  resolvedByName!: string | null;
}
