import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Notification } from '../notifications/notification.entity.js';
import { Contact } from './contact.entity.js';

/** Which notifications make up a contact, and which child in each notification it is about. */
@Entity('contact_notification')
@Index('ix_contact_notification_notification', ['notificationId'])
export class ContactNotification {
  @PrimaryColumn('uuid', { name: 'contact_id', primaryKeyConstraintName: 'pk_contact_notification' })
  contactId!: string;

  @PrimaryColumn('uuid', { name: 'notification_id', primaryKeyConstraintName: 'pk_contact_notification' })
  notificationId!: string;

  @ManyToOne(() => Contact, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'contact_id', foreignKeyConstraintName: 'fk_contact_notification_contact' })
  contact?: Relation<Contact>;

  @ManyToOne(() => Notification, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'notification_id', foreignKeyConstraintName: 'fk_contact_notification_notification' })
  notification?: Relation<Notification>;

  /** Position of the child among the notification's subjects. */
  @Column('smallint', { name: 'child_index' })
  childIndex!: number;

  @Column('timestamptz', { name: 'linked_at' })
  linkedAt!: Date;
}
