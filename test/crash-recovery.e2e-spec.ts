import request from 'supertest';
import {
  TEST_APP_DATABASE_URL,
  TEST_REDIS_URL,
  deleteRedisKeys,
  resetDatabase,
  uniquePrefix,
  waitFor,
  withDatabase,
} from './support/environment.js';
import { issueTestCredential } from './support/partner-credentials.js';
import { APPS, AppProcess, hubEnv } from './support/processes.js';
import { policeNoticeAboutNewChild } from './support/police-notices.js';

const TOTAL = 500;
const prefix = uniquePrefix();
const police = await issueTestCredential(prefix, 'police');
const env = { DATABASE_URL: TEST_APP_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix };
// Short locks so that messages a killed hub held come back within seconds.
const hubSettings = hubEnv({ ...env, QUEUE_LOCK_DURATION_MS: '3000', QUEUE_STALLED_INTERVAL_MS: '2000' });

describe('a hub killed mid-stream', () => {
  let adapter: AppProcess;
  const hubs: AppProcess[] = [];

  beforeAll(async () => {
    await resetDatabase();
    adapter = await new AppProcess('police-adapter', APPS.policeAdapter, { ...env, LOG_LEVEL: 'warn' }, 3311).ready();
  }, 60_000);

  afterAll(async () => {
    await Promise.all([adapter?.stop(), ...hubs.map((hub) => hub.stop())]);
    await deleteRedisKeys(prefix);
  });

  it(`stores all ${TOTAL} notices exactly once after SIGKILL and restart`, async () => {
    hubs.push(await new AppProcess('hub', APPS.hub, hubSettings, 3310).ready());
    const references: string[] = [];
    let killed = false;

    for (let start = 0; start < TOTAL; start += 25) {
      const batch = Array.from({ length: Math.min(25, TOTAL - start) }, (_, i) => policeNoticeAboutNewChild(start + i));
      const responses = await Promise.all(batch.map((notice) => request(adapter.url).post('/notifications').set(police.headers).send(notice)));
      for (const response of responses) expect(response.status).toBe(202);
      references.push(...batch.map((notice) => notice.policeReference));

      const stored = await withDatabase(async (db) => Number((await db.query('SELECT count(*) FROM notification')).rows[0].count));
      if (!killed && stored >= 100) {
        hubs[0].kill('SIGKILL');
        expect(await hubs[0].exited).toEqual({ code: null, signal: 'SIGKILL' });
        killed = true;
      }
      if (killed && hubs.length === 1 && start >= 300) hubs.push(await new AppProcess('hub', APPS.hub, hubSettings, 3312).ready());
    }
    expect(killed).toBe(true);
    if (hubs.length === 1) hubs.push(await new AppProcess('hub', APPS.hub, hubSettings, 3312).ready());

    const counts = await waitFor(
      `all ${TOTAL} notices to be stored`,
      () =>
        withDatabase(async (db) => {
          const { rows } = await db.query(
            `SELECT count(*)::int AS notifications,
                    count(DISTINCT partner_reference)::int AS references,
                    (SELECT count(*)::int FROM audit_event WHERE action = 'notification.received') AS received_events,
                    (SELECT count(*)::int FROM contact) AS contacts,
                    (SELECT count(*)::int FROM contact_notification) AS links
               FROM notification`,
          );
          return rows[0].notifications === TOTAL ? rows[0] : undefined;
        }),
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    expect(counts).toEqual({ notifications: TOTAL, references: TOTAL, received_events: TOTAL, contacts: TOTAL, links: TOTAL });
    const stored = await withDatabase(async (db) =>
      (await db.query('SELECT partner_reference FROM notification')).rows.map((r: { partner_reference: string }) => r.partner_reference),
    );
    expect(new Set(stored)).toEqual(new Set(references));
  }, 180_000);
});
