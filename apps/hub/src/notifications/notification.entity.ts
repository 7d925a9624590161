import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { Agency, Rag, ReferralSource, SafeguardingNotification } from '#contracts';

/**
 * A partner's notification as the hub received it. The unique key on agency,
 * sending organisation and partner reference is what makes redelivery
 * harmless: a second copy inserts nothing.
 */
@Entity('notification')
@Index('uq_notification_partner_reference', ['sourceAgency', 'sourceOrganisation', 'partnerReference'], { unique: true })
@Index('ix_notification_correlation_id', ['correlationId'])
export class Notification {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_notification' })
  id!: string;

  @Column('varchar', { name: 'source_agency', length: 20 })
  sourceAgency!: Agency;

  /** The organisation inside the agency that sent it (force code, ODS code, school URN, …); 'unrecorded' before senders named it. */
  @Column('varchar', { name: 'source_organisation', length: 20 })
  sourceOrganisation!: string;

  /** The partner's reference; `<system URI>|<reference>` where the partner numbers per system (FHIR). */
  @Column('varchar', { name: 'partner_reference', length: 400 })
  partnerReference!: string;

  @Column('uuid', { name: 'correlation_id' })
  correlationId!: string;

  /** The canonical version `message` is kept in (older versions are upgraded on arrival). */
  @Column('smallint', { name: 'schema_version' })
  schemaVersion!: number;

  @Column('timestamptz', { name: 'occurred_at', nullable: true })
  occurredAt!: Date | null;

  @Column('timestamptz', { name: 'reported_at' })
  reportedAt!: Date;

  /** When the hub stored it: deadlines run from here. */
  @Column('timestamptz', { name: 'received_at' })
  receivedAt!: Date;

  @Column('varchar', { name: 'sender_urgency', length: 5 })
  senderUrgency!: Rag;

  /** Who made the referral, as the DfE CIN census codes it. */
  @Column('varchar', { name: 'referral_source', length: 2 })
  referralSource!: ReferralSource;

  @Column('varchar', { array: true, length: 4 })
  categories!: string[];

  /** The validated canonical message, kept whole so nothing the partner said is lost. */
  @Column('jsonb')
  message!: SafeguardingNotification;
}
