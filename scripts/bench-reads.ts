/**
 * What screeners wait for: `npm run bench:reads`. Seeds 100,000 contacts (one
 * in five open) and 1,000,000 audit events, runs the hub as a process, and
 * prints p50/p95/p99 for the screeners' queue and a contact's page, each read
 * recorded in the audit trail as in production, beside two baselines measured
 * in the same run: a primary-key lookup straight from Postgres, and an HTTP
 * round trip to the same hub (GET /health).
 * Uses its own database (BENCH_READS_DATABASE_URL, default mash_bench_reads), reset each run.
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { SignJWT } from 'jose';
import pg from 'pg';
import { HUB_AUDIENCE, HUB_ISSUER } from '../apps/hub/src/access/staff-tokens.js';
import { createDataSource } from '../apps/hub/src/database/data-source.js';
import { ensureDatabaseExists } from '../apps/hub/src/database/ensure-database.js';

const OWNER_URL = process.env.BENCH_READS_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/mash_bench_reads';
const APP_URL = OWNER_URL.replace(/\/\/[^@/]+@/, '//mash_app@');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 100_000);
const AUDIT_EVENTS = Number(process.env.BENCH_AUDIT_EVENTS ?? 1_000_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 400);
const TOKEN_SECRET = 'a benchmark-only secret for staff access tokens, not for production';
const dist = resolve(import.meta.dirname, '..');

async function seed(): Promise<void> {
  await ensureDatabaseExists(OWNER_URL);
  const client = new pg.Client({ connectionString: OWNER_URL });
  await client.connect();
  await client.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;');
  const owner = await createDataSource(OWNER_URL).initialize();
  await owner.runMigrations({ transaction: 'each' });
  await owner.destroy();
  const uuid = (kind: string, n: string) => `md5('${kind}' || ${n})::uuid`;
  try {
    await client.query(`
      INSERT INTO child (id, given_name, family_name, normalised_name, date_of_birth)
        SELECT ${uuid('child', 'i')}, 'Child', 'Number' || i, 'child number' || i, date '2010-01-01' + (i % 5000)
        FROM generate_series(1, ${CONTACTS}) i;
      INSERT INTO notification (id, source_agency, source_organisation, partner_reference, correlation_id, schema_version,
                                reported_at, received_at, sender_urgency, categories, message)
        SELECT ${uuid('notification', 'i')}, 'police', '01', 'PPN/BENCH/' || i, ${uuid('correlation', 'i')}, 1,
               now() - make_interval(mins => ${CONTACTS} - i), now() - make_interval(mins => ${CONTACTS} - i), 'amber', '{3A}',
               jsonb_build_object('narrative', repeat('Police attended the home address. ', 40), 'n', i)
        FROM generate_series(1, ${CONTACTS}) i;
      -- One in five contacts still open: the screeners' queue.
      INSERT INTO contact (id, child_id, status, rag, sender_urgency, received_at, last_notification_at, notification_count)
        SELECT ${uuid('contact', 'i')}, ${uuid('child', 'i')}, CASE WHEN i % 5 = 0 THEN 'awaiting_screening' ELSE 'closed' END,
               NULL, 'amber', now() - make_interval(mins => ${CONTACTS} - i), now() - make_interval(mins => ${CONTACTS} - i), 1
        FROM generate_series(1, ${CONTACTS}) i;
      INSERT INTO contact_notification (contact_id, notification_id, child_index, linked_at)
        SELECT ${uuid('contact', 'i')}, ${uuid('notification', 'i')}, 0, now() FROM generate_series(1, ${CONTACTS}) i;
    `);
    // Ten events a contact on average: about its contact, its notification, its child. Not a valid chain
    // (the hashes are placeholders); the benchmark reads it, and new events chain on from the head.
    await client.query('ALTER TABLE audit_event DISABLE TRIGGER USER');
    await client.query(`
      INSERT INTO audit_event (sequence, occurred_at, actor_type, actor_id, on_behalf_of, action, subject_type, subject_id,
                               child_id, purpose, lawful_basis, correlation_id, details, previous_hash, hash)
        SELECT s, now() - make_interval(secs => ${AUDIT_EVENTS} - s), 'person', 'screener-' || (s % 40), 'screener',
               CASE WHEN s % 3 = 0 THEN 'contact.viewed' WHEN s % 3 = 1 THEN 'notification.received' ELSE 'contacts.listed' END,
               CASE WHEN s % 3 = 0 THEN 'contact' WHEN s % 3 = 1 THEN 'notification' ELSE NULL END,
               CASE WHEN s % 3 = 0 THEN ${uuid('contact', `(s % ${CONTACTS} + 1)`)} WHEN s % 3 = 1 THEN ${uuid('notification', `(s % ${CONTACTS} + 1)`)} ELSE NULL END,
               ${uuid('child', `(s % ${CONTACTS} + 1)`)}, 'screening', NULL, NULL, '{"bench":true}', lpad(to_hex(s - 1), 64, '0'), lpad(to_hex(s), 64, '0')
        FROM generate_series(1, ${AUDIT_EVENTS}) s;
    `);
    await client.query('ALTER TABLE audit_event ENABLE TRIGGER USER');
    await client.query(`UPDATE audit_chain_head SET sequence = ${AUDIT_EVENTS}, hash = lpad(to_hex(${AUDIT_EVENTS}), 64, '0') WHERE id = 1`);
    await client.query('VACUUM ANALYZE');
  } finally {
    await client.end();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolvePort) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

async function startHub(port: number) {
  const child = spawn(process.execPath, [resolve(dist, 'apps/hub/src/main.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      DATABASE_URL: APP_URL,
      REDIS_URL,
      QUEUE_PREFIX: `bench-reads-${process.pid}`,
      MASH_ENV: 'development',
      STAFF_TOKEN_SECRET: TOKEN_SECRET,
      LOG_LEVEL: 'warn',
      AUDIT_SIGNING_KEY_FILE: resolve(dist, '..', 'var', 'bench-audit-signing-key.pem'),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false);
    if (ok) return child;
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGTERM');
  throw new Error('the hub did not become healthy');
}

async function latencies(count: number, request: (i: number) => Promise<void>): Promise<number[]> {
  for (let i = 0; i < 30; i++) await request(i); // warm up
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = process.hrtime.bigint();
    await request(i);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return times.sort((a, b) => a - b);
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function main(): Promise<void> {
  const seeding = Date.now();
  await seed();
  console.log(`seeded ${CONTACTS.toLocaleString('en-GB')} contacts and ${AUDIT_EVENTS.toLocaleString('en-GB')} audit events in ${((Date.now() - seeding) / 1000).toFixed(1)} s`);

  const port = await freePort();
  const hub = await startHub(port);
  const token = await new SignJWT({ roles: ['screener'], preferred_username: 'bench.screener' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(HUB_ISSUER)
    .setAudience(HUB_AUDIENCE)
    .setSubject('bench.screener')
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(TOKEN_SECRET));
  const get = async (path: string) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (!response.ok) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
    return response.json() as Promise<Record<string, unknown>>;
  };
  const db = new pg.Client({ connectionString: APP_URL });
  await db.connect();
  const contactIds = (await db.query<{ id: string }>('SELECT id FROM contact ORDER BY random() LIMIT 1000')).rows.map((r) => r.id);

  const rows: [string, number[]][] = [];
  try {
    rows.push(['baseline: Postgres primary-key lookup', await latencies(REQUESTS, async (i) => void (await db.query('SELECT * FROM contact WHERE id = $1', [contactIds[i % contactIds.length]])))]);
    rows.push(['baseline: HTTP GET /health', await latencies(REQUESTS, async () => void (await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.text())))]);
    rows.push(['GET /api/contacts?status=open (first page)', await latencies(REQUESTS, async () => void (await get('/api/contacts?status=open')))]);
    // Deeper pages follow the cursor each page hands on, as a screener scrolling would.
    let next: string | null = null;
    rows.push([
      'GET /api/contacts?status=open (following pages)',
      await latencies(REQUESTS, async () => {
        const page: Record<string, unknown> = await get(`/api/contacts?status=open${next ? `&after=${encodeURIComponent(next)}` : ''}`);
        next = (page.nextCursor as string | null) ?? null;
      }),
    ]);
    rows.push(['GET /api/contacts/:id', await latencies(REQUESTS, async (i) => void (await get(`/api/contacts/${contactIds[i % contactIds.length]}`)))]);
  } finally {
    await db.end();
    hub.kill('SIGTERM');
  }

  const header = ['read', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'];
  const table = rows.map(([name, t]) => [name, ...[50, 95, 99, 100].map((p) => percentile(t, p).toFixed(1))]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  console.log(`\n${REQUESTS} sequential requests each, after 30 to warm up; every staff read is recorded in the audit trail`);
  console.log(line(header));
  for (const row of table) console.log(line(row));
}

await main();
