import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { StaffRole } from './staff.js';

/** A built-in staff account (for development and small deployments; councils usually sign in through their own identity provider). */
@Entity('staff_account')
@Index('uq_staff_account_username', ['username'], { unique: true })
export class StaffAccount {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_staff_account' })
  id!: string;

  @Column('varchar', { length: 100 })
  username!: string;

  @Column('varchar', { array: true, length: 20 })
  roles!: StaffRole[];

  /** The MASH team the person works in; decisions they record count toward it in the timeliness figures. */
  @Column('varchar', { length: 100, nullable: true })
  team!: string | null;

  /** argon2id, PHC string format. */
  @Column('varchar', { name: 'password_hash', length: 200 })
  passwordHash!: string;

  @Column('integer', { name: 'failed_sign_ins', default: 0 })
  failedSignIns!: number;

  @Column('timestamptz', { name: 'locked_until', nullable: true })
  lockedUntil!: Date | null;

  @Column('timestamptz', { name: 'disabled_at', nullable: true })
  disabledAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
