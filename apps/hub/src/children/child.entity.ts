import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn, type Relation } from 'typeorm';

/** A child known to the hub. Notifications from every agency are matched to one record. */
@Entity('child')
@Index('uq_child_nhs_number', ['nhsNumber'], { unique: true, where: 'nhs_number IS NOT NULL' })
// The date of birth block's given-name test reads from the index alone; only the rows it keeps are fetched.
@Index('ix_child_born', ['dateOfBirth', 'givenMiddle', 'givenKey', 'givenSound', 'givenFirst', 'id'])
@Index('ix_child_due', ['expectedDateOfDelivery'])
@Index('ix_child_postcode', ['postcode', 'dateOfBirth'])
@Index('ix_child_uprn', ['uprn', 'dateOfBirth'])
@Index('ix_child_name_keys', ['givenKey', 'familySound', 'dateOfBirth'])
export class Child {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_child' })
  id!: string;

  @Column('varchar', { name: 'nhs_number', length: 10, nullable: true })
  nhsNumber!: string | null;

  @Column('varchar', { name: 'given_name', length: 100 })
  givenName!: string;

  @Column('varchar', { name: 'family_name', length: 100 })
  familyName!: string;

  /** Lower case, without accents or punctuation: what exact-name matching compares. */
  @Column('varchar', { name: 'normalised_name', length: 201 })
  normalisedName!: string;

  @Column('date', { name: 'date_of_birth', nullable: true })
  dateOfBirth!: string | null;

  @Column('date', { name: 'expected_date_of_delivery', nullable: true })
  expectedDateOfDelivery!: string | null;

  /** Every given name, normalised ("mary jane"): two different middle names are two children. */
  @Column('varchar', { name: 'given_names', length: 100, default: '' })
  givenNames!: string;

  /** The first middle name, or '': the date-of-birth block reads only children whose middle name could agree. */
  @Column('varchar', { name: 'given_middle', length: 100, default: '' })
  givenMiddle!: string;

  /** The first given name, normalised, its variant group ("bill" -> "william") and its sound: what the candidate search compares. */
  @Column('varchar', { name: 'given_first', length: 100, default: '' })
  givenFirst!: string;

  @Column('varchar', { name: 'given_key', length: 100, default: '' })
  givenKey!: string;

  @Column('varchar', { name: 'given_sound', length: 8, default: '' })
  givenSound!: string;

  @Column('varchar', { name: 'family_sound', length: 8, default: '' })
  familySound!: string;

  /** Without spaces, upper case; from the notification that registered the child. */
  @Column('varchar', { length: 8, nullable: true })
  postcode!: string | null;

  @Column('varchar', { length: 12, nullable: true })
  uprn!: string | null;

  /** Set while this record stands merged into another: matching skips it, and its contacts are the survivor's. */
  @Column('uuid', { name: 'merged_into', nullable: true })
  mergedInto!: string | null;

  @ManyToOne(() => Child, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'merged_into', foreignKeyConstraintName: 'fk_child_merged_into' })
  mergedIntoChild?: Relation<Child>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
