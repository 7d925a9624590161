/**
 * Screener reads at scale: `npm run bench:reads`. Seeds its own database
 * (BENCH_READS_DATABASE_URL, default mash_bench_reads) with 100,000 contacts
 * (each with a child and a notification) and 1,000,000 audit events, as the
 * schema owner with generate_series, then runs the built hub on loopback and
 * times, one request at a time:
 *   GET /api/contacts?status=open          the queue's first page, and pages deep in it (after=),
 *                                          newest first and by decision deadline
 *   GET /api/contacts/:id                  a contact's page with its timeline
 * beside a baseline measured in the same run: the plain primary-key lookup of
 * a contact, straight from Postgres. Also prints each query's plan, to show
 * the indexes that serve it. Seeded events are not a valid chain: the chain
 * is not what is measured here.
 */
import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { encodeContactCursor } from '../apps/hub/src/contacts/contact-cursor.js';
import { App, freePort, freshBenchDatabase, latencies, now } from './bench-support.js';

const OWNER_URL = process.env.BENCH_READS_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/mash_bench_reads';
const APP_URL = OWNER_URL.replace(/\/\/[^@/]+@/, '//mash_app@');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 100_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);

async function seed(): Promise<void> {
  const owner = await freshBenchDatabase(OWNER_URL);
  const started = now();
  // Ids derived from the row number, so the tables refer to each other without joins while seeding.
  // Shaped as version 4 UUIDs, as the API's validation expects.
  const id = (kind: string, n: string) => `overlay(overlay(md5('${kind}' || ${n}) placing '4' from 13) placing '8' from 17)::uuid`;
  await owner.query(
    `INSERT INTO child (id, given_name, family_name, normalised_name, date_of_birth)
     SELECT ${id('child', 'i')}, 'Seeded', 'Child ' || i, 'seeded child ' || i, date '2012-01-01' + (i % 3000)
       FROM generate_series(1, $1) AS i`,
    [CONTACTS],
  );
  await owner.query(
    `INSERT INTO notification (id, source_agency, source_organisation, partner_reference, correlation_id, schema_version, occurred_at, reported_at,
                               received_at, sender_urgency, referral_source, categories, message)
     SELECT ${id('notification', 'i')}, 'police', '01', 'PPN/SEED/' || i, ${id('correlation', 'i')}, 2, at, at, at, 'amber', '6', '{3A}',
            -- The parts of a stored notification a contact's page reads: the sender's consent decision.
            jsonb_build_object('seeded', true, 'consent', jsonb_build_object('status', 'not_sought', 'notSoughtReason', 'risk_of_significant_harm_to_child'))
       FROM generate_series(1, $1) AS i, LATERAL (SELECT timestamptz '2025-01-01' + i * interval '5 minutes' AS at) t`,
    [CONTACTS],
  );
  // One in ten closed, the rest waiting for screening. Each with its decision deadline, as the hub's
  // deadline watcher would have set it, and the open ones not yet due: otherwise the watcher would spend
  // the benchmark setting 100k deadlines and escalating 90k breaches, and the reads would measure that.
  await owner.query(
    `INSERT INTO contact (id, child_id, status, rag, sender_urgency, received_at, last_notification_at, notification_count, decision_due_at, referring_agency)
     SELECT ${id('contact', 'i')}, ${id('child', 'i')}, CASE WHEN i % 10 = 0 THEN 'closed' ELSE 'awaiting_screening' END, NULL, 'amber',
            at, at, 1, CASE WHEN i % 10 = 0 THEN at + interval '1 day' ELSE now() + (i % 4320) * interval '1 minute' END, 'police'
       FROM generate_series(1, $1) AS i, LATERAL (SELECT timestamptz '2025-01-01' + i * interval '5 minutes' AS at) t`,
    [CONTACTS],
  );
  await owner.query(
    `INSERT INTO contact_notification (contact_id, notification_id, child_index, linked_at)
     SELECT ${id('contact', 'i')}, ${id('notification', 'i')}, 0, timestamptz '2025-01-01' + i * interval '5 minutes'
       FROM generate_series(1, $1) AS i`,
    [CONTACTS],
  );
  // Ten events per contact (received, consent, child, contact, then views), spread over the chain's whole length.
  const perContact = Math.max(1, Math.floor(EVENTS / CONTACTS));
  await owner.query(
    `INSERT INTO audit_event (sequence, occurred_at, actor_type, actor_id, on_behalf_of, action, subject_type, subject_id, child_id,
                              purpose, correlation_id, details, previous_hash, hash)
     SELECT s, timestamptz '2025-01-01' + s * interval '30 seconds',
            CASE WHEN k < 2 THEN 'agency_system' WHEN k < 4 THEN 'hub' ELSE 'person' END,
            CASE WHEN k < 2 THEN 'police-adapter' WHEN k < 4 THEN 'mash-hub' ELSE 'sam.screener' END,
            NULL,
            CASE k WHEN 0 THEN 'notification.received' WHEN 1 THEN 'consent.recorded' WHEN 2 THEN 'child.created'
                   WHEN 3 THEN 'contact.created' ELSE 'contact.viewed' END,
            CASE WHEN k < 2 THEN 'notification' WHEN k = 2 THEN 'child' ELSE 'contact' END,
            CASE WHEN k < 2 THEN ${id('notification', 'c')} WHEN k = 2 THEN ${id('child', 'c')} ELSE ${id('contact', 'c')} END,
            ${id('child', 'c')}, 'screening', ${id('correlation', 'c')}, '{}'::jsonb, repeat('0', 64), repeat('0', 64)
       FROM generate_series(1, $1) AS s, LATERAL (SELECT (s - 1) % $2 + 1 AS c, (s - 1) / $2 AS k) AS n`,
    [perContact * CONTACTS, CONTACTS],
  );
  await owner.query('UPDATE audit_chain_head SET sequence = (SELECT max(sequence) FROM audit_event) WHERE id = 1');
  await owner.query('ANALYZE');
  await owner.destroy();
  console.log(`seeded ${CONTACTS} contacts and ${perContact * CONTACTS} audit events in ${((now() - started) / 1000).toFixed(1)} s`);
}

async function timeEach(ids: string[], request: (id: string) => Promise<void>): Promise<number[]> {
  const times: number[] = [];
  for (const id of ids) {
    const started = now();
    await request(id);
    times.push(now() - started);
  }
  return times;
}

async function plans(db: pg.Client, contactId: string): Promise<string[]> {
  const explain = async (sql: string, params: unknown[]) => {
    const { rows } = await db.query(`EXPLAIN ${sql}`, params);
    return rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).filter((line: string) => /Scan|Sort|Limit/.test(line));
  };
  const queue = await explain(
    `SELECT * FROM contact JOIN child ON child.id = contact.child_id WHERE contact.status <> 'closed'
       AND (contact.received_at, contact.id) < (SELECT received_at, id FROM contact a WHERE a.id = $1)
     ORDER BY contact.received_at DESC, contact.id DESC LIMIT 26`,
    [contactId],
  );
  const timeline = await explain(
    `SELECT * FROM audit_event event WHERE (event.subject_type = 'contact' AND event.subject_id = $1)
        OR (event.subject_type = 'notification' AND event.subject_id = ANY($2)) ORDER BY event.sequence`,
    [contactId, [contactId]],
  );
  return ['queue page after a cursor:', ...queue, "contact page's timeline:", ...timeline];
}

async function main(): Promise<void> {
  await seed();
  const keyDir = join(tmpdir(), 'mash-bench');
  mkdirSync(keyDir, { recursive: true });
  const hub = new App(
    'hub',
    'dist/apps/hub/src/main.js',
    {
      DATABASE_URL: APP_URL,
      REDIS_URL,
      QUEUE_PREFIX: `bench-reads-${process.pid}`,
      LOG_LEVEL: 'warn',
      // A benchmark, not a deployment: the development key file is allowed.
      MASH_ENV: 'development',
      AUDIT_SIGNING_KEY_FILE: join(keyDir, 'audit-signing-key.pem'),
      STAFF_TOKEN_SECRET: 'a bench-only secret for staff access tokens, never for production',
    },
    await freePort(),
  );
  const db = new pg.Client({ connectionString: APP_URL });
  await db.connect();
  try {
    await hub.ready();
    const login = await fetch(`${hub.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'sam.screener', password: 'development only' }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const headers = { authorization: `Bearer ${accessToken}` };
    const get = async (path: string) => {
      const response = await fetch(`${hub.url}${path}`, { headers });
      if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
    };
    const { rows } = (await db.query(
      `SELECT id, to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS received,
              to_char(decision_due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS due
         FROM contact WHERE status <> 'closed' ORDER BY random() LIMIT $1`,
      [REQUESTS],
    )) as { rows: { id: string; received: string; due: string | null }[] };
    const ids = rows.map((r) => r.id);
    // A page deep in the queue: the one after a random contact, as its `next` would say.
    const newestAfter = new Map(rows.map((r) => [r.id, encodeContactCursor({ sort: 'newest', key: r.received, id: r.id })]));
    const deadlineAfter = new Map(rows.map((r) => [r.id, encodeContactCursor({ sort: 'deadline', key: r.due, id: r.id })]));
    // Warm-up: connections, compiled routes, and the indexes in memory.
    for (const contactId of ids.slice(0, 30)) {
      await get(`/api/contacts?status=open&sort=newest&after=${newestAfter.get(contactId)}`);
      await get(`/api/contacts?status=open&sort=deadline&after=${deadlineAfter.get(contactId)}`);
      await get(`/api/contacts/${contactId}`);
    }

    const baseline = await timeEach(ids, async (contactId) => {
      await db.query('SELECT * FROM contact WHERE id = $1', [contactId]);
    });
    // What every page used to add before paging by cursor: counting the whole queue.
    const counting = await timeEach(ids.slice(0, 50), async () => {
      await db.query("SELECT count(*) FROM contact WHERE status <> 'closed'");
    });
    const firstPage = await timeEach(ids, () => get('/api/contacts?status=open&sort=newest'));
    const deepPage = await timeEach(ids, (contactId) => get(`/api/contacts?status=open&sort=newest&after=${newestAfter.get(contactId)}`));
    const firstByDeadline = await timeEach(ids, () => get('/api/contacts?status=open&sort=deadline'));
    const deepByDeadline = await timeEach(ids, (contactId) => get(`/api/contacts?status=open&sort=deadline&after=${deadlineAfter.get(contactId)}`));
    const contactPage = await timeEach(ids, (contactId) => get(`/api/contacts/${contactId}`));

    const rowsOut = [
      ['baseline: contact by primary key (SQL, no HTTP)', latencies(baseline)],
      ['for comparison: count(*) of the open queue (SQL, 50 times)', latencies(counting)],
      ['GET /api/contacts?status=open&sort=newest (first page of 25)', latencies(firstPage)],
      ['GET /api/contacts?status=open&sort=newest&after=<random contact>', latencies(deepPage)],
      ['GET /api/contacts?status=open&sort=deadline (first page of 25)', latencies(firstByDeadline)],
      ['GET /api/contacts?status=open&sort=deadline&after=<random contact>', latencies(deepByDeadline)],
      ['GET /api/contacts/:id (with timeline)', latencies(contactPage)],
    ];
    const width = Math.max(...rowsOut.map((r) => r[0].length));
    console.log(`${'request'.padEnd(width)}  ms p50 / p95 / p99 (${REQUESTS} each, one at a time)`);
    for (const [what, ms] of rowsOut) console.log(`${what.padEnd(width)}  ${ms}`);
    console.log((await plans(db, ids[0])).join('\n'));
  } finally {
    await db.end();
    await hub.stop();
  }
}

await main();
