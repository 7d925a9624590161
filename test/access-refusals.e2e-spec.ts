import request from 'supertest';
import { TEST_APP_DATABASE_URL, TEST_REDIS_URL, deleteRedisKeys, freePort, resetDatabase, uniquePrefix, withDatabase } from './support/environment.js';
import { APPS, AppProcess, auditVerifyCommand, hubEnv } from './support/processes.js';

const prefixes: string[] = [];
function envFor(settings: Record<string, string>): Record<string, string> {
  const prefix = uniquePrefix();
  prefixes.push(prefix);
  return hubEnv({ DATABASE_URL: TEST_APP_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, ...settings });
}

const chainLength = () =>
  withDatabase(async (db) => Number((await db.query('SELECT sequence FROM audit_chain_head WHERE id = 1')).rows[0].sequence));

beforeAll(async () => {
  await resetDatabase();
});

afterAll(async () => {
  for (const prefix of prefixes) await deleteRedisKeys(prefix);
});

describe('refused requests in the audit trail', () => {
  it('a burst of 200 unauthenticated requests adds no event per request; one counted event records all 200, and the chain verifies', async () => {
    const hub = await new AppProcess('hub', APPS.hub, envFor({ ACCESS_REFUSAL_WINDOW_SECONDS: '3600' }), await freePort()).ready();
    try {
      const before = await chainLength();
      const statuses = await Promise.all(Array.from({ length: 200 }, () => request(hub.url).get('/api/contacts').then((r) => r.status)));
      expect(statuses.filter((status) => status !== 401)).toEqual([]);
      expect((await chainLength()) - before).toBeLessThanOrEqual(3);
    } finally {
      // A graceful stop writes the open window's counts.
      await hub.stop();
    }
    const events = await withDatabase(
      async (db) =>
        (await db.query("SELECT actor_id, details FROM audit_event WHERE action = 'access.denied' AND details->>'route' = '/api/contacts'")).rows,
    );
    expect(events).toEqual([
      {
        actor_id: 'anonymous',
        details: {
          address: expect.stringMatching(/127\.0\.0\.1/),
          method: 'GET',
          route: '/api/contacts',
          status: 401,
          reason: expect.stringMatching(/^Sign in first/),
          count: 200,
          firstAt: expect.any(String),
          lastAt: expect.any(String),
          windowStart: expect.any(String),
          windowEnd: expect.any(String),
        },
      },
    ]);
    expect(Date.parse(events[0].details.firstAt)).toBeLessThanOrEqual(Date.parse(events[0].details.lastAt));
    expect(await withDatabase(async (db) => Number((await db.query('SELECT count(*) FROM access_refusal_tally')).rows[0].count))).toBe(0);
    expect(await auditVerifyCommand()).toMatchObject({ code: 0, output: expect.stringMatching(/intact/) });
  });
});

describe('rate limits behind a proxy', () => {
  /** Three sign-ins forwarded for one client, then one for another; the limit is two a minute per client and username. */
  async function statuses(settings: Record<string, string>): Promise<number[]> {
    const hub = await new AppProcess('hub', APPS.hub, envFor({ SIGN_IN_RATE_LIMIT_PER_MINUTE: '2', ...settings }), await freePort()).ready();
    try {
      const seen: number[] = [];
      for (const client of ['198.51.100.1', '198.51.100.1', '198.51.100.1', '198.51.100.2']) {
        const response = await request(hub.url)
          .post('/api/auth/login')
          .set('x-forwarded-for', client)
          .send({ username: 'proxied.person', password: 'not the password' });
        seen.push(response.status);
      }
      return seen;
    } finally {
      await hub.stop();
    }
  }

  it('with TRUST_PROXY naming the proxy, X-Forwarded-For decides whose limit a request counts against', async () => {
    expect(await statuses({ TRUST_PROXY: 'loopback' })).toEqual([401, 401, 429, 401]);
  });

  it('without TRUST_PROXY, X-Forwarded-For is ignored: a client cannot pick its own limit', async () => {
    expect(await statuses({})).toEqual([401, 401, 429, 429]);
  });
});
