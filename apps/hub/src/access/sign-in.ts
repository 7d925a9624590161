import { HttpException, HttpStatus, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { londonTimeInWords } from '#calendar';
import { AuditTrail, type AuditRecord } from '../audit/audit-trail.js';
import { HubConfig } from '../config.js';
import { decoyHash, passwordMatches } from './passwords.js';
import { RefreshToken } from './refresh-token.entity.js';
import { StaffAccount } from './staff-account.entity.js';
import { accountActor } from './staff-actor.js';
import { StaffTokens } from './staff-tokens.js';

export interface SignedIn {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
  staff: { id: string; username: string; roles: string[]; team: string | null };
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
    if (!account || account.disabledAt) {
      // Spend the same time as a real check, so response times do not reveal which usernames exist.
      await passwordMatches(password, await decoyHash());
      await this.record({ action: 'login.failed', actor: { type: 'person', id: 'anonymous' }, details: { reason: 'unknown or disabled account', username } });
      throw new UnauthorizedException(WRONG);
    }
    // The attempt is counted before the password is checked, so parallel guesses cannot all
    // see an unlocked account: the attempt that reaches the threshold locks it for the rest.
    const attempt = await this.takeAttempt(account.id);
    if (!attempt) return this.refuseLocked(account, 'account locked');
    if (!(await passwordMatches(password, account.passwordHash))) {
      await this.record({
        action: 'login.failed',
        actor: accountActor(account),
        subject: { type: 'staff_account', id: account.id },
        details: { reason: 'wrong password', failures: attempt.number, lockedUntil: attempt.lockedUntil?.toISOString() ?? null },
      });
      throw new UnauthorizedException(WRONG);
    }
    const signedIn = await this.dataSource.transaction(async (manager) => {
      // A success counts only if no other attempt locked the account meanwhile (the attempt
      // that locked it itself is the threshold-th attempt, which may still be the right one).
      const cleared = (await manager.query(
        `UPDATE staff_account SET failed_sign_ins = 0, locked_until = NULL
          WHERE id = $1 AND disabled_at IS NULL AND (locked_until IS NULL OR ($2::int >= $3::int AND failed_sign_ins = $2::int))
          RETURNING id`,
        [account.id, attempt.number, this.config.SIGN_IN_LOCKOUT_THRESHOLD],
      )) as [unknown[], number];
      if (!cleared[0].length) return null;
      const issued = await this.issue(manager, account, randomUUID());
      await this.audit.record(manager, {
        actor: accountActor(account),
        action: 'login.succeeded',
        subject: { type: 'staff_account', id: account.id },
        purpose: 'access control',
      });
      return issued;
    });
    return signedIn ?? this.refuseLocked(account, 'account locked during the sign-in');
  }

  /**
   * Takes one sign-in attempt in one statement: refused (null) while the account is locked;
   * the attempt that reaches the threshold locks it. An expired lock starts a new count.
   */
  private async takeAttempt(accountId: string): Promise<{ number: number; lockedUntil: Date | null } | null> {
    const [rows] = (await this.dataSource.query(
      `UPDATE staff_account
          SET failed_sign_ins = CASE WHEN locked_until IS NULL THEN failed_sign_ins + 1 ELSE 1 END,
              locked_until = CASE WHEN (CASE WHEN locked_until IS NULL THEN failed_sign_ins + 1 ELSE 1 END) >= $2
                                  THEN now() + make_interval(secs => $3) ELSE NULL END
        WHERE id = $1 AND disabled_at IS NULL AND (locked_until IS NULL OR locked_until <= now())
        RETURNING failed_sign_ins, locked_until`,
      [accountId, this.config.SIGN_IN_LOCKOUT_THRESHOLD, this.config.SIGN_IN_LOCKOUT_SECONDS],
    )) as [{ failed_sign_ins: number; locked_until: Date | null }[], number];
    return rows.length ? { number: rows[0].failed_sign_ins, lockedUntil: rows[0].locked_until } : null;
  }

  private async refuseLocked(account: StaffAccount, reason: string): Promise<never> {
    const current = await this.dataSource.manager.findOneBy(StaffAccount, { id: account.id });
    const lockedUntil = current?.lockedUntil ?? new Date(Date.now() + this.config.SIGN_IN_LOCKOUT_SECONDS * 1000);
    await this.record({
      action: 'login.failed',
      actor: accountActor(account),
      subject: { type: 'staff_account', id: account.id },
      details: { reason, lockedUntil: lockedUntil.toISOString() },
    });
    throw new HttpException(`This account is locked after repeated failed sign-ins until ${londonTimeInWords(lockedUntil)}`, HttpStatus.LOCKED);
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
          actor: account ? accountActor(account) : { type: 'person', id: 'anonymous' },
          action: 'token.refused',
          purpose: 'access control',
          details: { token: 'refresh', reason, ...extra },
        });
        return { refused: reason };
      };
      if (!stored || !account) return refuse('unknown');
      if (stored.usedAt && !stored.revokedAt && now.getTime() - stored.usedAt.getTime() <= this.config.STAFF_REFRESH_REUSE_GRACE_SECONDS * 1000) {
        // Used moments ago: two tabs (or a retried request) refreshing at once, not a copy.
        // Another pair of the same sign-in, so signing out still ends them all.
        if (stored.expiresAt <= now) return refuse('expired');
        if (account.disabledAt) return refuse('account disabled');
        return { signedIn: await this.issue(manager, account, stored.familyId) };
      }
      if (stored.usedAt) {
        // A used token presented again after the grace period was copied: end every session descended from that sign-in.
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
        actor: accountActor(account),
        action: 'logout',
        subject: { type: 'staff_account', id: account.id },
        purpose: 'access control',
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
      staff: { id: account.id, username: account.username, roles: account.roles, team: account.team },
    };
  }

  private record(record: Omit<AuditRecord, 'purpose'>): Promise<unknown> {
    return this.dataSource.transaction((manager) => this.audit.record(manager, { ...record, purpose: 'access control' }));
  }
}
