import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { TEST_APP_DATABASE_URL, resetDatabase, withDatabase } from '../../../../test/support/environment.js';
import { AuditTrail } from '../audit/audit-trail.js';
import { AuditVerifier } from '../audit/audit-verifier.js';
import { HubConfig } from '../config.js';
import { dataSourceOptions } from '../database/data-source.js';
import { AccessRefusals, type AccessRefusal } from './access-refusals.js';

/** One hub process's refusal counter, with its own connection pool. */
async function hubProcess(): Promise<TestingModule> {
  const config = Object.assign(new HubConfig(), { ACCESS_REFUSAL_WINDOW_SECONDS: 3600 });
  return Test.createTestingModule({
    imports: [TypeOrmModule.forRoot({ ...dataSourceOptions(TEST_APP_DATABASE_URL), extra: { max: 8 } })],
    providers: [{ provide: HubConfig, useValue: config }, AuditTrail, AuditVerifier, AccessRefusals],
  }).compile();
}

const refusal = (address: string): AccessRefusal => ({
  action: 'access.denied',
  actor: { type: 'person', id: 'anonymous' },
  reason: 'Sign in first, then send Authorization: Bearer <access token>',
  details: { address, method: 'GET', route: '/api/contacts', status: 401 },
});

describe('counted access refusals (Postgres, as the application role)', () => {
  let hubs: TestingModule[] = [];

  beforeEach(async () => {
    await resetDatabase();
    hubs = [await hubProcess(), await hubProcess()];
  });

  afterEach(async () => {
    for (const hub of hubs) await hub.close();
  });

  it('loses and doubles no count when two hubs count and flush the same window at once', async () => {
    const [a, b] = hubs.map((hub) => hub.get(AccessRefusals));
    const work: Promise<unknown>[] = [];
    for (let n = 0; n < 300; n++) {
      work.push((n % 2 ? a : b).count(refusal(n % 3 ? '192.0.2.1' : '192.0.2.2')));
      // Both hubs flush everything, open window included, while the counting goes on.
      if (n % 25 === 0) work.push(a.flush({ all: true }), b.flush({ all: true }));
    }
    await Promise.all(work);
    await Promise.all([a.flush({ all: true }), b.flush({ all: true })]);

    const events = await withDatabase(
      async (db) => (await db.query("SELECT details FROM audit_event WHERE action = 'access.denied' ORDER BY sequence")).rows,
    );
    const total = (address: string) =>
      events.filter((e: { details: { address: string } }) => e.details.address === address).reduce((sum: number, e: { details: { count: number } }) => sum + e.details.count, 0);
    expect(total('192.0.2.1')).toBe(200);
    expect(total('192.0.2.2')).toBe(100);
    expect(events.length).toBeLessThan(60);
    expect(await withDatabase(async (db) => Number((await db.query('SELECT count(*) FROM access_refusal_tally')).rows[0].count))).toBe(0);
    expect((await hubs[0].get(AuditVerifier).verify()).intact).toBe(true);
  });

  it('counts without touching the audit chain, and writes only closed windows unless asked for all', async () => {
    const refusals = hubs[0].get(AccessRefusals);
    const dataSource = hubs[0].get<DataSource>(getDataSourceToken());
    // The chain head is locked by "intake": counting must not wait for it.
    const intake = dataSource.createQueryRunner();
    await intake.connect();
    await intake.startTransaction();
    await intake.query('SELECT sequence FROM audit_chain_head WHERE id = 1 FOR UPDATE');
    try {
      const counted = Promise.all(Array.from({ length: 20 }, () => refusals.count(refusal('192.0.2.3'))));
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise((resolve) => (timer = setTimeout(() => resolve('waited'), 3000)));
      const outcome = await Promise.race([counted.then(() => 'counted'), waited]);
      clearTimeout(timer);
      expect(outcome).toBe('counted');
    } finally {
      await intake.rollbackTransaction();
      await intake.release();
    }
    // An hour-long window still open: nothing to write yet.
    expect(await refusals.flush()).toBe(0);
    expect(await refusals.flush({ all: true })).toBe(1);
    const [event] = await withDatabase(async (db) => (await db.query("SELECT details FROM audit_event WHERE action = 'access.denied'")).rows);
    expect(event.details).toMatchObject({ address: '192.0.2.3', count: 20 });
  });
});
