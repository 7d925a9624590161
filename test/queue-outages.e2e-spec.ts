import { Redis } from 'ioredis';
import request from 'supertest';
import { PartnerCredentialStore } from '#adapter-kit';
import { TEST_APP_DATABASE_URL, freePort, idleInTransaction, resetDatabase, uniquePrefix, waitFor, withDatabase } from './support/environment.js';
import { APPS, AppProcess, hubEnv } from './support/processes.js';
import { policeNotice } from './support/police-notices.js';
import { ThrowawayRedis } from '../libs/queue-transport/src/testing/throwaway-redis.js';

/** Apps pointed at a Redis of the test's own, which the test then freezes: it accepts connections and never answers. */
describe('a Redis that stops answering', () => {
  let redis: ThrowawayRedis;
  const apps: AppProcess[] = [];
  const prefix = uniquePrefix();

  beforeAll(async () => {
    await resetDatabase();
    redis = await ThrowawayRedis.start();
  }, 60_000);

  afterAll(async () => {
    redis.thaw();
    await Promise.all(apps.map((app) => app.stop()));
    redis.stop();
  });

  it('makes the adapter answer 503 with a clear message within a bounded time, and 202 once it answers again', async () => {
    const admin = new Redis(redis.url, { maxRetriesPerRequest: 3 });
    const credential = await new PartnerCredentialStore(admin, prefix).issue({ agency: 'police', organisation: '01', system: 'Outage test PPN', days: 1 });
    await admin.quit();
    const adapter = new AppProcess(
      'police-adapter',
      APPS.policeAdapter,
      { REDIS_URL: redis.url, QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn', QUEUE_PUBLISH_TIMEOUT_MS: '1000' },
      await freePort(),
    );
    apps.push(adapter);
    await adapter.ready();
    const auth = { authorization: `Bearer ${credential.token}` };

    redis.freeze();
    const started = Date.now();
    const refused = await request(adapter.url).post('/notifications').set(auth).send(policeNotice()).timeout(15_000);
    expect(refused.status).toBe(503);
    expect(refused.body.message).toMatch(/message store is not answering/);
    expect(refused.headers['retry-after']).toBe('30');
    // Each Redis call the request makes (rate limit, credential, receipt, publish) gives up after a second.
    expect(Date.now() - started).toBeLessThan(8_000);

    redis.thaw();
    const notice = policeNotice();
    await waitFor('the adapter to accept again', async () => {
      const response = await request(adapter.url).post('/notifications').set(auth).send(notice);
      return response.status === 202 || undefined;
    });
  }, 60_000);

  it('stops the hub promptly on SIGTERM, holding no transaction open meanwhile', async () => {
    const hub = new AppProcess(
      'hub',
      APPS.hub,
      hubEnv({ DATABASE_URL: TEST_APP_DATABASE_URL, REDIS_URL: redis.url, QUEUE_PREFIX: `${prefix}-hub`, QUEUE_PUBLISH_TIMEOUT_MS: '20000' }),
      await freePort(),
    );
    apps.push(hub);
    await hub.ready();
    redis.thaw();
    redis.freeze();
    // A message for an adapter, as the intake would leave it: the relay claims it and tries to publish.
    await withDatabase((db) =>
      db.query(
        `INSERT INTO outbox_message (id, queue, pattern, payload, created_at)
         VALUES (gen_random_uuid(), 'police-deliveries', 'notification.accepted', '{}', now())`,
      ),
    );
    await waitFor('the relay to claim the message', () =>
      withDatabase(async (db) => ((await db.query('SELECT claimed_until FROM outbox_message')).rows[0]?.claimed_until ? true : undefined)),
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const idle = await idleInTransaction();
    expect(idle).toBe(0);

    const started = Date.now();
    hub.kill('SIGTERM');
    const exit = await Promise.race([hub.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 25_000).unref())]);
    expect(exit).toEqual({ code: null, signal: 'SIGTERM' });
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 90_000);
});
