import { HttpException } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { TEST_APP_DATABASE_URL, resetDatabase, withDatabase } from '../../../../test/support/environment.js';
import { AuditTrail } from '../audit/audit-trail.js';
import { AuditVerifier } from '../audit/audit-verifier.js';
import { HubConfig } from '../config.js';
import { dataSourceOptions } from '../database/data-source.js';
import { SignIn } from './sign-in.js';
import { createStaffAccount } from './staff-accounts.js';
import { StaffTokens } from './staff-tokens.js';

const PASSWORD = 'the right password for this test';

describe('signing in (Postgres, as the application role)', () => {
  let module: TestingModule;
  let dataSource: DataSource;
  let signIn: SignIn;

  beforeAll(async () => {
    await resetDatabase();
    const config = Object.assign(new HubConfig(), { STAFF_TOKEN_SECRET: 'a test-only secret for staff access tokens, long enough' });
    module = await Test.createTestingModule({
      imports: [TypeOrmModule.forRoot({ ...dataSourceOptions(TEST_APP_DATABASE_URL), extra: { max: 40 } })],
      providers: [{ provide: HubConfig, useValue: config }, AuditTrail, AuditVerifier, StaffTokens, SignIn],
    }).compile();
    dataSource = module.get(getDataSourceToken());
    signIn = module.get(SignIn);
    await dataSource.transaction((manager) =>
      createStaffAccount(manager, module.get(AuditTrail), { username: 'pat.parallel', roles: ['screener'], password: PASSWORD }, 'test'),
    );
  });

  afterAll(async () => {
    await module?.close();
  });

  it('cannot be raced past the lock: 30 parallel wrong guesses and the right password, and the right one is refused too', async () => {
    const guesses = Array.from({ length: 30 }, (_, n) => signIn.signIn('pat.parallel', `wrong guess number ${n}`));
    const right = signIn.signIn('pat.parallel', PASSWORD);
    const outcomes = await Promise.allSettled([...guesses, right]);
    const status = (outcome: PromiseSettledResult<unknown>) =>
      outcome.status === 'fulfilled' ? 200 : outcome.reason instanceof HttpException ? outcome.reason.getStatus() : String(outcome.reason);

    expect(status(outcomes[30])).not.toBe(200);
    expect(outcomes.map(status).filter((s) => s === 200)).toEqual([]);
    // Five guesses were checked (and failed); every other attempt found the account locked.
    expect(outcomes.map(status).filter((s) => s === 401)).toHaveLength(5);
    expect(outcomes.map(status).filter((s) => s === 423)).toHaveLength(26);
    const [account] = await withDatabase(async (db) => (await db.query("SELECT locked_until FROM staff_account WHERE username = 'pat.parallel'")).rows);
    expect(account.locked_until.getTime()).toBeGreaterThan(Date.now());
    expect((await module.get(AuditVerifier).verify()).intact).toBe(true);
  });
});
