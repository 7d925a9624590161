import request from 'supertest';
import { TEST_APP_DATABASE_URL, TEST_REDIS_URL, deleteRedisKeys, freePort, resetDatabase, uniquePrefix, withDatabase } from './support/environment.js';
import { Visitor } from './support/pages.js';
import { APPS, AppProcess, hubEnv } from './support/processes.js';
import { staff } from './support/staff.js';

const prefix = uniquePrefix();
let hub: AppProcess;

const AGENCIES = ['police', 'health', 'education', 'housing', 'probation'];

/**
 * 60 contacts: receipt times tied in threes, deadlines running the other way and tied in fours, every
 * seventh without a deadline yet, every tenth closed; referring agencies in turn.
 */
async function seed(): Promise<void> {
  await withDatabase((db) =>
    db.query(`
      INSERT INTO child (id, given_name, family_name, normalised_name, date_of_birth)
        SELECT md5('queue child' || i)::uuid, 'Child', 'Queue', 'child queue' || i, date '2015-01-01' FROM generate_series(1, 60) i;
      INSERT INTO contact (id, child_id, status, sender_urgency, received_at, last_notification_at, notification_count, decision_due_at, referring_agency, finished_at)
        SELECT md5('queue contact' || i)::uuid, md5('queue child' || i)::uuid, CASE WHEN i % 10 = 0 THEN 'closed' ELSE 'awaiting_screening' END, 'amber',
               timestamptz '2026-03-01T00:00:00.123456Z' + make_interval(secs => i - i % 3), now(), 1,
               CASE WHEN i % 7 = 0 THEN NULL ELSE timestamptz '2026-04-01T00:00:00.654321Z' - make_interval(secs => i - i % 4) END,
               (ARRAY['${AGENCIES.join("','")}'])[i % 5 + 1], CASE WHEN i % 10 = 0 THEN now() END
        FROM generate_series(1, 60) i;`),
  );
}

const ids = (sql: string) => withDatabase(async (db) => (await db.query(sql)).rows.map((row: { id: string }) => row.id));

/** Every page of the queue through the API, following `next`, three at a time. */
async function everyPage(query: Record<string, string>): Promise<{ seen: string[]; sorts: string[] }> {
  const seen: string[] = [];
  const sorts: string[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await request(hub.url)
      .get('/api/contacts')
      .set(staff.screener)
      .query({ ...query, pageSize: 3, ...(after && { after }) })
      .expect(200);
    seen.push(...page.body.items.map((item: { id: string }) => item.id));
    sorts.push(page.body.sort);
    if (page.body.next === null) break;
    after = page.body.next;
  }
  return { seen, sorts };
}

beforeAll(async () => {
  await resetDatabase();
  await seed();
  hub = new AppProcess('hub', APPS.hub, hubEnv({ DATABASE_URL: TEST_APP_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix }), await freePort());
  await hub.ready();
}, 60_000);

afterAll(async () => {
  await hub?.stop();
  await deleteRedisKeys(prefix);
});

describe('GET /api/contacts, sorted and filtered by agency', () => {
  it('pages open contacts by deadline by default: soonest first, those without one last, each once', async () => {
    const { seen, sorts } = await everyPage({ status: 'open' });
    expect(new Set(sorts)).toEqual(new Set(['deadline']));
    expect(seen).toEqual(await ids("SELECT id FROM contact WHERE status <> 'closed' ORDER BY decision_due_at ASC NULLS LAST, id ASC"));
    expect(seen).toHaveLength(54);
  });

  it('pages newest first on request, and every contact newest first by default: each once', async () => {
    expect((await everyPage({ status: 'open', sort: 'newest' })).seen).toEqual(await ids("SELECT id FROM contact WHERE status <> 'closed' ORDER BY received_at DESC, id DESC"));
    const all = await everyPage({});
    expect(new Set(all.sorts)).toEqual(new Set(['newest']));
    expect(all.seen).toEqual(await ids('SELECT id FROM contact ORDER BY received_at DESC, id DESC'));
  });

  it('filters by the referring agency under either sort', async () => {
    for (const [sort, order] of [
      ['deadline', 'decision_due_at ASC NULLS LAST, id ASC'],
      ['newest', 'received_at DESC, id DESC'],
    ]) {
      const { seen } = await everyPage({ status: 'open', agency: 'housing', sort });
      expect(seen).toEqual(await ids(`SELECT id FROM contact WHERE status <> 'closed' AND referring_agency = 'housing' ORDER BY ${order}`));
      expect(seen.length).toBeGreaterThan(3);
    }
    const page = await request(hub.url).get('/api/contacts').set(staff.manager).query({ agency: 'probation' }).expect(200);
    expect(page.body.items.map((item: { referringAgency: string }) => item.referringAgency)).toEqual(Array(page.body.total).fill('probation'));
  });

  it('refuses an unknown sort or agency, and a cursor from the other sort, with a clear 400, and writes nothing', async () => {
    const [{ n: before }] = (await withDatabase((db) => db.query("SELECT count(*)::int AS n FROM audit_event WHERE action = 'contacts.listed'"))).rows;
    const bad = await request(hub.url).get('/api/contacts').set(staff.screener).query({ sort: 'oldest', agency: 'fire' }).expect(400);
    expect(bad.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'sort', message: expect.stringContaining('sort must be one of deadline, newest') }),
        expect.objectContaining({ path: 'agency', message: expect.stringContaining('agency must be a referring agency: one of police, health, education, housing, probation') }),
      ]),
    );
    const newest = await request(hub.url).get('/api/contacts').set(staff.screener).query({ status: 'open', sort: 'newest', pageSize: 2 }).expect(200);
    const mixed = await request(hub.url).get('/api/contacts').set(staff.screener).query({ status: 'open', after: newest.body.next }).expect(400);
    expect(JSON.stringify(mixed.body)).toContain('after was handed out for the queue sorted by newest, not by deadline: start again from the first page');
    const [{ n: after }] = (await withDatabase((db) => db.query("SELECT count(*)::int AS n FROM audit_event WHERE action = 'contacts.listed'"))).rows;
    // Only the one good page was listed.
    expect(after - before).toBe(1);
  });
});

describe('the queue page, sorted and filtered by agency', () => {
  it('shows an agency’s contacts by deadline, and refuses an unknown agency or order with the error summary', async () => {
    const visitor = new Visitor(() => hub.url);
    await visitor.signIn('sam.screener');
    const housing = await visitor.send('GET', '/contacts?agency=housing');
    expect(housing.status).toBe(200);
    const html = await housing.text();
    expect(html).toContain('soonest decision deadline first');
    const expected = await withDatabase(
      async (db) =>
        (await db.query("SELECT number::text AS n FROM contact WHERE status <> 'closed' AND referring_agency = 'housing' ORDER BY decision_due_at ASC NULLS LAST, id ASC")).rows,
    );
    expect([...html.matchAll(/>Contact (\d+)</g)].map((match) => match[1])).toEqual(expected.map((row: { n: string }) => row.n));
    expect(html).toMatch(/<option value="housing" selected>Housing<\/option>/);

    const refused = await visitor.send('GET', '/contacts?agency=fire&sort=oldest');
    expect(refused.status).toBe(400);
    const page = await refused.text();
    expect(page).toContain('<title>Error: Contacts – MASH</title>');
    expect(page).toContain('Choose a referring agency from the list');
    expect(page).toContain('Choose an order from the list');
    expect(page).toContain('No contacts match these filters');
  });
});
