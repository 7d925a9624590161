import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A child allocated to a social worker and team, as the council's case management system says (its
 * nightly export, and updates between). A contact about an allocated child goes to them, not to the MASH.
 */
@Entity('allocation')
@Index('uq_allocation_case_reference', ['caseReference'], { unique: true })
@Index('ix_allocation_nhs_number', ['nhsNumber'], { where: 'nhs_number IS NOT NULL AND ended_at IS NULL' })
@Index('ix_allocation_name', ['normalisedName', 'dateOfBirth'], { where: 'ended_at IS NULL' })
export class Allocation {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_allocation' })
  id!: string;

  /** The case management system's own id for the child or case. */
  @Column('varchar', { name: 'case_reference', length: 100 })
  caseReference!: string;

  @Column('varchar', { name: 'nhs_number', length: 10, nullable: true })
  nhsNumber!: string | null;

  @Column('varchar', { name: 'given_name', length: 100 })
  givenName!: string;

  @Column('varchar', { name: 'family_name', length: 100 })
  familyName!: string;

  @Column('varchar', { name: 'normalised_name', length: 201 })
  normalisedName!: string;

  @Column('date', { name: 'date_of_birth', nullable: true })
  dateOfBirth!: string | null;

  @Column('varchar', { length: 200 })
  worker!: string;

  @Column('varchar', { length: 200 })
  team!: string;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;

  /** When the allocation ended (the case closed, or the export no longer lists it). */
  @Column('timestamptz', { name: 'ended_at', nullable: true })
  endedAt!: Date | null;
}
