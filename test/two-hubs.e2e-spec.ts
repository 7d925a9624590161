import request from 'supertest';
import {
  TEST_APP_DATABASE_URL,
  TEST_REDIS_URL,
  deleteRedisKeys,
  freePort,
  resetDatabase,
  uniquePrefix,
  waitFor,
  withDatabase,
} from './support/environment.js';
import { issueTestCredential } from './support/partner-credentials.js';
import { APPS, AppProcess, hubEnv } from './support/processes.js';
import { policeNoticeAboutNewChild } from './support/police-notices.js';
import { staff } from './support/staff.js';

const TOTAL = 1000;
/** Children named in many notices, so both hubs' intakes meet on the same children and contacts. */
const SHARED_CHILDREN = 5;
const prefix = uniquePrefix();
const police = await issueTestCredential(prefix, 'police');
const env = { DATABASE_URL: TEST_APP_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix };

function sharedChild(index: number) {
  return { forename: `Shared ${'abcde'[index]}`, surname: `Sibling ${prefix.slice(-8).replace(/[^a-z]/g, 'x')}`, dateOfBirth: '2016-02-03' };
}

/** A new child and one of the shared children, in either order. */
function notice(index: number) {
  const base = policeNoticeAboutNewChild(index);
  const newChild = base.children[0];
  const shared = { ...newChild, ...sharedChild(index % SHARED_CHILDREN), nhsNumber: undefined };
  return { ...base, children: index % 2 === 0 ? [newChild, shared] : [shared, newChild] };
}

describe('two hubs side by side', () => {
  let adapter: AppProcess;
  const hubs: AppProcess[] = [];

  beforeAll(async () => {
    await resetDatabase();
    const [adapterPort, firstHubPort, secondHubPort] = await Promise.all([freePort(), freePort(), freePort()]);
    adapter = new AppProcess('police-adapter', APPS.policeAdapter, { ...env, LOG_LEVEL: 'warn', PARTNER_RATE_LIMIT_PER_MINUTE: String(2 * TOTAL) }, adapterPort);
    hubs.push(new AppProcess('hub', APPS.hub, hubEnv(env), firstHubPort), new AppProcess('hub', APPS.hub, hubEnv(env), secondHubPort));
    await Promise.all([adapter, ...hubs].map((app) => app.ready()));
  }, 60_000);

  afterAll(async () => {
    await Promise.all([adapter?.stop(), ...hubs.map((hub) => hub.stop())]);
    await deleteRedisKeys(prefix);
  });

  it(`store ${TOTAL} notices exactly once, with one intact audit chain`, async () => {
    for (let start = 0; start < TOTAL; start += 50) {
      const batch = Array.from({ length: 50 }, (_, i) => notice(start + i));
      const responses = await Promise.all(batch.map((n) => request(adapter.url).post('/notifications').set(police.headers).send(n)));
      expect(responses.filter((response) => response.status !== 202).map((response) => response.text)).toEqual([]);
    }

    const counts = await waitFor(
      `all ${TOTAL} notices to be stored and acknowledged`,
      () =>
        withDatabase(async (db) => {
          const { rows } = await db.query(
            `SELECT (SELECT count(*)::int FROM notification) AS notifications,
                    (SELECT count(DISTINCT partner_reference)::int FROM notification) AS "references",
                    (SELECT count(*)::int FROM audit_event WHERE action = 'notification.received') AS received_events,
                    (SELECT count(*)::int FROM contact) AS contacts,
                    (SELECT count(*)::int FROM contact_notification) AS links,
                    (SELECT sum(notification_count)::int FROM contact) AS counted,
                    (SELECT count(*)::int FROM outbox_message WHERE published_at IS NOT NULL AND pattern = 'notification.accepted') AS published`,
          );
          return rows[0].notifications === TOTAL && rows[0].published === TOTAL ? rows[0] : undefined;
        }),
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(counts).toEqual({
      notifications: TOTAL,
      references: TOTAL,
      received_events: TOTAL,
      contacts: TOTAL + SHARED_CHILDREN,
      links: 2 * TOTAL,
      counted: 2 * TOTAL,
      published: TOTAL,
    });
    const sharedCounts = await withDatabase(async (db) =>
      (
        await db.query(
          `SELECT contact.notification_count FROM contact JOIN child ON child.id = contact.child_id WHERE child.given_name LIKE 'Shared %'`,
        )
      ).rows.map((row: { notification_count: number }) => row.notification_count),
    );
    expect(sharedCounts).toEqual(Array(SHARED_CHILDREN).fill(TOTAL / SHARED_CHILDREN));
    // Every child of these domestic abuse notices went to school once, though both hubs dispatch; and, the
    // incidents being long past their deadline, alerted the manager once.
    const encompass = await waitFor(
      'every Operation Encompass notice to be sent and alerted',
      () =>
        withDatabase(async (db) => {
          const { rows } = await db.query(
            `SELECT (SELECT count(*)::int FROM share WHERE decision = 'allowed') AS allowed,
                    (SELECT count(*)::int FROM share) AS shares,
                    (SELECT count(*)::int FROM outbox_message WHERE pattern = 'information.shared') AS sent,
                    (SELECT count(*)::int FROM alert WHERE kind = 'encompass_unacknowledged') AS alerts,
                    (SELECT count(*)::int FROM audit_event WHERE action = 'alert.raised') AS raised`,
          );
          return rows[0].alerts === 2 * TOTAL ? rows[0] : undefined;
        }),
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(encompass).toEqual({ allowed: 2 * TOTAL, shares: 2 * TOTAL, sent: 2 * TOTAL, alerts: 2 * TOTAL, raised: 2 * TOTAL });
    // Neither hub met an error on the way.
    for (const hub of hubs) expect(hub.output.filter((line) => /error/i.test(line))).toEqual([]);

    // Every event so far is in the one chain the verifier walks (it records its own act after).
    const events = await withDatabase(async (db) => Number((await db.query('SELECT count(*) FROM audit_event')).rows[0].count));
    const verification = await request(hubs[1].url).get('/api/audit/verification').set(staff.auditor).expect(200);
    expect(verification.body).toMatchObject({ intact: true });
    expect(verification.body.verified).toBeGreaterThanOrEqual(events);
  }, 120_000);
});
