import { HttpException, HttpStatus, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditTrail, type AuditRecord } from '../audit/audit-trail.js';
import { HubConfig } from '../config.js';
import { decoyHash, passwordMatches } from './passwords.js';
import { RefreshToken } from './refresh-token.entity.js';
import { StaffAccount } from './staff-account.entity.js';
import { StaffTokens } from './staff-tokens.js';

export interface SignedIn {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
  staff: { id: string; username: string; roles: string[] };
}

const WRONG = 'The username or password is wrong';
const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Signing in to built-in accounts: argon2id passwords, a lock after repeated
 * failures, short-lived access tokens and rotating refresh tokens. Every
 * outcome is in the audit trail.
 */
@Injectable()
export class SignIn {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
    private readonly tokens: StaffTokens,
    @Inject(HubConfig) private readonly config: HubConfig,
  ) {}

  async signIn(username: string, password: string): Promise<SignedIn> {
    const account = await this.dataSource.manager.findOneBy(StaffAccount, { username });
    const now = new Date();
    if (!account || account.disabledAt) {
      // Spend the same time as a real check, so response times do not reveal which usernames exist.
      await passwordMatches(password, await decoyHash());
      await this.record({ action: 'login.failed', actor: { type: 'person', id: username }, details: { reason: 'unknown or disabled account' } });
      throw new UnauthorizedException(WRONG);
    }
    if (account.lockedUntil && account.lockedUntil > now) {
      await this.record({ action: 'login.failed', actor: { type: 'person', id: username }, details: { reason: 'account locked', lockedUntil: account.lockedUntil.toISOString() } });
      throw new HttpException(
        `This account is locked after repeated failed sign-ins until ${account.lockedUntil.toISOString()}`,
        HttpStatus.LOCKED,
      );
    }
    if (!(await passwordMatches(password, account.passwordHash))) {
      await this.failed(account);
      throw new UnauthorizedException(WRONG);
    }
    return this.dataSource.transaction(async (manager) => {
      await manager.update(StaffAccount, { id: account.id }, { failedSignIns: 0, lockedUntil: null });
      const signedIn = await this.issue(manager, account, randomUUID());
      await this.audit.record(manager, {
        actor: { type: 'person', id: account.username, onBehalfOf: account.roles.join(',') },
        action: 'login.succeeded',
        subject: { type: 'staff_account', id: account.id },
        purpose: 'access control',
      });
      return signedIn;
    });
  }

  async refresh(refreshToken: string): Promise<SignedIn> {
    // The outcome is decided in the transaction and acted on after it commits: a refusal's
    // revocations and audit event must be kept, not rolled back with the error.
    const outcome = await this.dataSource.transaction(async (manager): Promise<{ signedIn: SignedIn } | { refused: string }> => {
      // Locked, so two refreshes racing with the same token cannot both succeed.
      const stored = await manager.findOne(RefreshToken, {
        where: { tokenHash: hashOf(refreshToken) },
        lock: { mode: 'pessimistic_write' },
      });
      const account = stored ? await manager.findOneBy(StaffAccount, { id: stored.accountId }) : null;
      const now = new Date();
      const refuse = async (reason: string, extra: Record<string, unknown> = {}) => {
        await this.audit.record(manager, {
          actor: { type: 'person', id: account?.username ?? 'anonymous' },
          action: 'token.refused',
          purpose: 'access control',
          details: { token: 'refresh', reason, ...extra },
        });
        return { refused: reason };
      };
      if (!stored || !account) return refuse('unknown');
      if (stored.usedAt) {
        // A used token presented again was copied: end every session descended from that sign-in.
        await manager.update(RefreshToken, { familyId: stored.familyId }, { revokedAt: now });
        return refuse('already used; every token of this sign-in is revoked', { familyId: stored.familyId });
      }
      if (stored.revokedAt) return refuse('revoked');
      if (stored.expiresAt <= now) return refuse('expired');
      if (account.disabledAt) return refuse('account disabled');
      await manager.update(RefreshToken, { id: stored.id }, { usedAt: now });
      return { signedIn: await this.issue(manager, account, stored.familyId) };
    });
    if ('refused' in outcome) throw new UnauthorizedException(`The refresh token is not accepted: ${outcome.refused}`);
    return outcome.signedIn;
  }

  /** Ends the sign-in the refresh token belongs to. Unknown tokens are ignored: the result is the same. */
  async signOut(refreshToken: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const stored = await manager.findOneBy(RefreshToken, { tokenHash: hashOf(refreshToken) });
      const account = stored ? await manager.findOneBy(StaffAccount, { id: stored.accountId }) : null;
      if (!stored || !account) return;
      await manager.update(RefreshToken, { familyId: stored.familyId }, { revokedAt: new Date() });
      await this.audit.record(manager, {
        actor: { type: 'person', id: account.username, onBehalfOf: account.roles.join(',') },
        action: 'logout',
        subject: { type: 'staff_account', id: account.id },
        purpose: 'access control',
      });
    });
  }

  private async failed(account: StaffAccount): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      // Counted in the database, so parallel guesses cannot each see a count below the threshold.
      const counted = await manager
        .createQueryBuilder()
        .update(StaffAccount)
        .set({ failedSignIns: () => 'failed_sign_ins + 1' })
        .where('id = :id', { id: account.id })
        .returning('failed_sign_ins')
        .execute();
      const failures = (counted.raw as { failed_sign_ins: number }[])[0].failed_sign_ins;
      let lockedUntil: Date | null = null;
      if (failures >= this.config.SIGN_IN_LOCKOUT_THRESHOLD) {
        lockedUntil = new Date(Date.now() + this.config.SIGN_IN_LOCKOUT_SECONDS * 1000);
        await manager.update(StaffAccount, { id: account.id }, { failedSignIns: 0, lockedUntil });
      }
      await this.audit.record(manager, {
        actor: { type: 'person', id: account.username },
        action: 'login.failed',
        subject: { type: 'staff_account', id: account.id },
        purpose: 'access control',
        details: { reason: 'wrong password', failures, lockedUntil: lockedUntil?.toISOString() ?? null },
      });
    });
  }

  private async issue(manager: EntityManager, account: StaffAccount, familyId: string): Promise<SignedIn> {
    const refreshToken = randomBytes(32).toString('base64url');
    await manager.insert(RefreshToken, {
      id: randomUUID(),
      accountId: account.id,
      familyId,
      tokenHash: hashOf(refreshToken),
      expiresAt: new Date(Date.now() + this.config.STAFF_REFRESH_TOKEN_TTL_SECONDS * 1000),
      usedAt: null,
      revokedAt: null,
    });
    return {
      accessToken: await this.tokens.issue(account),
      tokenType: 'Bearer',
      expiresIn: this.config.STAFF_ACCESS_TOKEN_TTL_SECONDS,
      refreshToken,
      refreshExpiresIn: this.config.STAFF_REFRESH_TOKEN_TTL_SECONDS,
      staff: { id: account.id, username: account.username, roles: account.roles },
    };
  }

  private record(record: Omit<AuditRecord, 'purpose'>): Promise<unknown> {
    return this.dataSource.transaction((manager) => this.audit.record(manager, { ...record, purpose: 'access control' }));
  }
}
