import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { StaffAccount } from './staff-account.entity.js';

/**
 * A refresh token, stored as its SHA-256 only. Each use replaces it with a
 * new one; presenting a replaced token again (after STAFF_REFRESH_REUSE_GRACE_SECONDS)
 * revokes the whole family, as it means the token was copied.
 */
@Entity('refresh_token')
@Index('uq_refresh_token_hash', ['tokenHash'], { unique: true })
@Index('ix_refresh_token_family', ['familyId'])
export class RefreshToken {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_refresh_token' })
  id!: string;

  @Column('uuid', { name: 'account_id' })
  accountId!: string;

  @ManyToOne(() => StaffAccount, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'fk_refresh_token_account' })
  account?: Relation<StaffAccount>;

  /** Every token descended from one sign-in shares its family. */
  @Column('uuid', { name: 'family_id' })
  familyId!: string;

  @Column('char', { name: 'token_hash', length: 64 })
  tokenHash!: string;

  @Column('timestamptz', { name: 'expires_at' })
  expiresAt!: Date;

  @Column('timestamptz', { name: 'used_at', nullable: true })
  usedAt!: Date | null;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;
}
