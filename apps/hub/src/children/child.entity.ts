import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A child known to the hub. Notifications from every agency are matched to one record. */
@Entity('child')
@Index('uq_child_nhs_number', ['nhsNumber'], { unique: true, where: 'nhs_number IS NOT NULL' })
@Index('ix_child_match_key', ['normalisedName', 'dateOfBirth'])
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

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
