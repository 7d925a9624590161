/**
 * Intake speed: `npm run bench:intake`. In one run, on its own database
 * (BENCH_DATABASE_URL, default mash_bench_intake) and its own queue prefix:
 *   floor   BullMQ job -> one Postgres insert per job, at the hub's intake concurrency:
 *           the most any queue consumer writing to this Postgres could do
 *   hub     the built police adapter and hub as processes: HTTP POST -> contact and audit
 *           committed; saturated (closed loop), then at fixed offered rates (open loop)
 * Prints notices/s, hub/floor, POST latency and send-to-commit latency (p50/p95/p99),
 * and the hub's and adapter's RSS. Commit is seen by polling the audit trail for each
 * notification's `notification.received` event, which commits with the contact.
 * Loopback only; bounded by BENCH_NOTICES and each phase's time limit.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { PartnerCredentialStore } from '#adapter-kit';
import { HubConfig } from '../apps/hub/src/config.js';
import { App, CpuMeter, freePort, freshBenchDatabase, latencies, now, sleep } from './bench-support.js';

const OWNER_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/mash_bench_intake';
const APP_URL = process.env.BENCH_APP_DATABASE_URL ?? OWNER_URL.replace(/\/\/[^@/]+@/, '//mash_app@');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const PREFIX = `bench-${randomUUID().slice(0, 8)}`;
const FLOOR_JOBS = Number(process.env.BENCH_FLOOR_JOBS ?? 5000);
const NOTICES = Number(process.env.BENCH_NOTICES ?? 2000);
const SENDERS = Number(process.env.BENCH_SENDERS ?? 32);
const RATE_SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 10);
const PHASE_LIMIT_MS = 120_000;
/** The hub's own settings, so the floor runs at the concurrency the hub would. */
const hubDefaults = new HubConfig();
const INTAKE_CONCURRENCY = Number(process.env.INTAKE_CONCURRENCY ?? hubDefaults.INTAKE_CONCURRENCY);

async function resetSchema(): Promise<void> {
  const owner = await freshBenchDatabase(OWNER_URL);
  // The floor's table: one row per job, nothing else.
  await owner.query('CREATE TABLE floor_job (id uuid PRIMARY KEY, payload jsonb NOT NULL, received_at timestamptz NOT NULL)');
  await owner.query('GRANT SELECT, INSERT ON floor_job TO mash_app');
  await owner.destroy();
}

let floorCpu = '';

/** The bare floor: jobs already queued, a BullMQ worker inserting one row per job in its own transaction. */
async function measureFloor(): Promise<number> {
  const queueName = 'floor';
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(queueName, { connection, prefix: PREFIX });
  const payload = { note: 'x'.repeat(2000) }; // about the size of a canonical notification
  for (let start = 0; start < FLOOR_JOBS; start += 500) {
    await queue.addBulk(
      Array.from({ length: Math.min(500, FLOOR_JOBS - start) }, () => ({
        name: 'job',
        data: payload,
        opts: { jobId: randomUUID(), removeOnComplete: true },
      })),
    );
  }
  const pool = new pg.Pool({ connectionString: APP_URL, max: INTAKE_CONCURRENCY + 2 });
  const workerConnection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  let done = 0;
  const meter = new CpuMeter([]);
  let finished!: () => void;
  const allDone = new Promise<void>((resolveDone) => (finished = resolveDone));
  const started = now();
  const worker = new Worker(
    queueName,
    async (job) => {
      await pool.query('INSERT INTO floor_job (id, payload, received_at) VALUES ($1, $2, now())', [job.id, job.data]);
      done += 1;
      if (done === FLOOR_JOBS) finished();
    },
    { connection: workerConnection, prefix: PREFIX, concurrency: INTAKE_CONCURRENCY },
  );
  // A limit that is cleared once the jobs are done: a pending timer would keep the process alive for the whole limit.
  let limit: NodeJS.Timeout | undefined;
  await Promise.race([allDone, new Promise<void>((expire) => (limit = setTimeout(expire, PHASE_LIMIT_MS)))]);
  clearTimeout(limit);
  const seconds = (now() - started) / 1000;
  floorCpu = meter.report(FLOOR_JOBS, 'job');
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await pool.end();
  connection.disconnect();
  workerConnection.disconnect();
  if (done < FLOOR_JOBS) throw new Error(`floor: only ${done} of ${FLOOR_JOBS} jobs in ${PHASE_LIMIT_MS} ms`);
  return FLOOR_JOBS / seconds;
}

function policeNotice(n: number) {
  const tag = `${PREFIX}-${n}`;
  return {
    policeReference: `PPN/BENCH/${tag}`,
    raisedAt: '2026-03-02T08:15:00Z',
    incident: {
      occurredAt: '2026-03-01T21:40:00Z',
      location: '1 Test Street, Exampletown',
      circumstances: 'Police attended a verbal and physical altercation between adults at the home address.',
      domesticAbuse: true,
    },
    officerInCase: { name: 'PC Dana Officer', collarNumber: '4521', contact: '01234 567890' },
    children: [
      {
        // A new child each time, except that every tenth notice joins an earlier child's contact.
        forename: `Child ${(n % 10 === 9 ? n - 1 : n).toString(26).replace(/\d/g, (d) => 'qrstuvwxyz'[Number(d)])}`,
        surname: 'Bench',
        dateOfBirth: '2015-06-14',
        address: { lines: ['1 Test Street', 'Exampletown'], postcode: 'EX1 1AA', uprn: '100012345678' },
        presentAtIncident: true,
        welfareCheckDone: true,
        voiceOfChild: { seen: true, spokenTo: true, account: 'I hid in my room when they were shouting.' },
      },
    ],
    adults: [{ forename: 'Beth', surname: 'Example', role: 'VICTIM', relationshipToChildren: 'mother' }],
    concerns: ['DOMESTIC_ABUSE'],
    dashRisk: 'MEDIUM',
    ragGrading: 'AMBER',
    notificationType: 'INFORMATION_EXCHANGE',
    consent: { status: 'NOT_SOUGHT', reasonNotSought: 'RISK_TO_CHILD' },
  };
}

/** Watches the audit trail for committed notifications and records when each was first seen. */
class CommitWatcher {
  readonly committedAt = new Map<string, number>();
  private lastSequence = 0n;
  private running = true;
  private readonly client = new pg.Client({ connectionString: OWNER_URL });
  private loop: Promise<void> | undefined;

  async start(): Promise<void> {
    await this.client.connect();
    const { rows } = await this.client.query('SELECT coalesce(max(sequence), 0) AS max FROM audit_event');
    this.lastSequence = BigInt(rows[0].max as string);
    this.loop = (async () => {
      while (this.running) {
        // Appending holds the chain head's row lock to commit, so events become visible in sequence
        // order; the small margin is a guard, not a need. A wide one made this poll a real share of
        // the machine's work, taken from what it measures.
        const { rows: seen } = await this.client.query(
          `SELECT sequence, subject_id FROM audit_event WHERE sequence > $1 AND action = 'notification.received' ORDER BY sequence`,
          [(this.lastSequence > 50n ? this.lastSequence - 50n : 0n).toString()],
        );
        const at = now();
        for (const row of seen as { sequence: string; subject_id: string }[]) {
          if (!this.committedAt.has(row.subject_id)) this.committedAt.set(row.subject_id, at);
          if (BigInt(row.sequence) > this.lastSequence) this.lastSequence = BigInt(row.sequence);
        }
        await sleep(5);
      }
    })();
  }
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.client.end();
  }
}

/**
 * What the hub's Postgres connections are doing, sampled every 20 ms: the
 * evidence for where intake waits (e.g. on the audit chain head's row lock,
 * on the WAL flush at commit, or on the hub itself between statements).
 */
class WaitSampler {
  readonly tally = new Map<string, number>();
  samples = 0;
  private running = true;
  private loop: Promise<void> | undefined;
  private readonly client = new pg.Client({ connectionString: OWNER_URL });

  async start(): Promise<void> {
    await this.client.connect();
    this.loop = (async () => {
      while (this.running) {
        const { rows } = await this.client.query(
          `SELECT CASE WHEN state = 'active' THEN coalesce(wait_event_type || ':' || wait_event, 'active (on CPU)')
                       ELSE state END AS doing,
                  left(regexp_replace(query, '[[:space:]]+', ' ', 'g'), 40) AS statement,
                  -- Statements after which a transaction holds the chain head's row lock until it ends.
                  query ~ '(audit_chain_head.*FOR UPDATE|UPDATE audit_chain_head|INSERT INTO "audit_event")' AS holds_head
             FROM pg_stat_activity WHERE application_name = 'mash-hub' AND datname = current_database() AND pid <> pg_backend_pid()`,
        );
        this.samples += 1;
        for (const row of rows as { doing: string; statement: string; holds_head: boolean }[]) {
          const holdsHead = row.holds_head;
          const key =
            row.doing === 'idle'
              ? 'idle (in the pool)'
              : row.doing === 'idle in transaction'
                ? `idle in transaction, waiting for the hub${holdsHead ? ' WHILE HOLDING THE CHAIN HEAD' : ''} — after ${row.statement}`
                : `${row.doing} — ${row.statement}`;
          this.tally.set(key, (this.tally.get(key) ?? 0) + 1);
        }
        await sleep(20);
      }
    })();
  }
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.client.end();
  }
  report(): string {
    const top = [...this.tally.entries()].filter(([key]) => !key.startsWith('idle (in')).sort((a, b) => b[1] - a[1]).slice(0, 12);
    return top.map(([key, n]) => `  ${(n / this.samples).toFixed(2).padStart(6)} connections on average: ${key}`).join('\n');
  }
}

interface Sent {
  sentAt: number;
  postMs: number;
  notificationId: string;
}

/** Plain node:http with kept-alive connections: the load generator shares the cores it measures, so it must be cheap. */
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 256 });

async function post(adapter: App, token: string, n: number): Promise<Sent> {
  const sentAt = now();
  const body = JSON.stringify(policeNotice(n));
  const { status, text } = await new Promise<{ status: number; text: string }>((resolveResponse, reject) => {
    const request = http.request(
      `${adapter.url}/notifications`,
      {
        method: 'POST',
        agent: keepAlive,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolveResponse({ status: response.statusCode ?? 0, text }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
  const answer = JSON.parse(text) as { notificationId?: string };
  if (status !== 202 || !answer.notificationId) throw new Error(`POST answered ${status}: ${text}`);
  return { sentAt, postMs: now() - sentAt, notificationId: answer.notificationId };
}

interface PhaseResult {
  name: string;
  offered: string;
  notices: number;
  perSecond: number;
  post: string;
  commit: string;
}

async function waitForCommits(watcher: CommitWatcher, sent: Sent[], deadline: number): Promise<void> {
  while (sent.some((s) => !watcher.committedAt.has(s.notificationId)) && now() < deadline) await sleep(20);
  const missing = sent.filter((s) => !watcher.committedAt.has(s.notificationId)).length;
  if (missing) throw new Error(`${missing} of ${sent.length} notices were not committed in time`);
}

function summarise(name: string, offered: string, sent: Sent[], watcher: CommitWatcher): PhaseResult {
  const first = Math.min(...sent.map((s) => s.sentAt));
  const last = Math.max(...sent.map((s) => watcher.committedAt.get(s.notificationId)!));
  return {
    name,
    offered,
    notices: sent.length,
    perSecond: sent.length / ((last - first) / 1000),
    post: latencies(sent.map((s) => s.postMs)),
    commit: latencies(sent.map((s) => watcher.committedAt.get(s.notificationId)! - s.sentAt)),
  };
}

async function saturated(adapter: App, token: string, watcher: CommitWatcher, offset: number, sampler: WaitSampler, meter: () => CpuMeter): Promise<PhaseResult & { cpu: string }> {
  await sampler.start();
  const cpu = meter();
  const sent: Sent[] = [];
  let next = 0;
  const deadline = now() + PHASE_LIMIT_MS;
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      while (next < NOTICES && now() < deadline) {
        next += 1;
        sent.push(await post(adapter, token, offset + next));
      }
    }),
  );
  await waitForCommits(watcher, sent, deadline);
  const report = cpu.report(sent.length, 'notice');
  await sampler.stop();
  return { ...summarise(`saturated (${SENDERS} senders)`, '-', sent, watcher), cpu: report };
}

async function offeredRate(adapter: App, token: string, watcher: CommitWatcher, offset: number, perSecond: number): Promise<PhaseResult> {
  const total = perSecond * RATE_SECONDS;
  const started = now();
  const posts: Promise<Sent>[] = [];
  for (let i = 0; i < total; i++) {
    // Open loop: each notice leaves at its scheduled time, whatever the hub is doing.
    const due = started + (i * 1000) / perSecond;
    const wait = due - now();
    if (wait > 1) await sleep(wait);
    posts.push(post(adapter, token, offset + i));
  }
  const sent = await Promise.all(posts);
  await waitForCommits(watcher, sent, now() + PHASE_LIMIT_MS);
  return summarise(`offered ${perSecond}/s for ${RATE_SECONDS} s`, `${perSecond}`, sent, watcher);
}

async function main(): Promise<void> {
  await resetSchema();
  const floor = await measureFloor();

  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  const credential = await new PartnerCredentialStore(redis, PREFIX).issue({ agency: 'police', organisation: '01', system: 'Bench police system', days: 1 });
  const keyDir = join(tmpdir(), 'mash-bench');
  mkdirSync(keyDir, { recursive: true });
  const env = { REDIS_URL, QUEUE_PREFIX: PREFIX, LOG_LEVEL: process.env.LOG_LEVEL ?? 'log' };
  // The partner rate limit would otherwise be what is measured.
  const adapterEnv = { ...env, PARTNER_RATE_LIMIT_PER_MINUTE: '1000000' };
  const [hubPort, adapterPort] = await Promise.all([freePort(), freePort()]);
  const passThrough = Object.fromEntries(
    ['INTAKE_CONCURRENCY', 'INTAKE_TRANSACTIONS', 'INTAKE_BATCH_SIZE', 'DATABASE_POOL_SIZE'].flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])),
  );
  const hub = new App(
    'hub',
    // BENCH_HUB_ROOT: another build of the hub (e.g. an earlier commit's) to compare on the same floor.
    process.env.BENCH_HUB_ROOT ? resolve(process.env.BENCH_HUB_ROOT, 'dist/apps/hub/src/main.js') : 'dist/apps/hub/src/main.js',
    {
      ...env,
      ...passThrough,
      DATABASE_URL: APP_URL,
      // A benchmark, not a deployment: the development key file is allowed.
      MASH_ENV: 'development',
      AUDIT_SIGNING_KEY_FILE: join(keyDir, 'audit-signing-key.pem'),
      STAFF_TOKEN_SECRET: 'a bench-only secret for staff access tokens, never for production',
    },
    hubPort,
    // e.g. BENCH_HUB_NODE_ARGS=--cpu-prof to see where the hub spends its time (BENCH_ADAPTER_NODE_ARGS: the adapter).
    process.env.BENCH_HUB_NODE_ARGS?.split(' ').filter(Boolean),
  );
  const adapter = new App(
    'police-adapter',
    'dist/apps/police-adapter/src/main.js',
    adapterEnv,
    adapterPort,
    process.env.BENCH_ADAPTER_NODE_ARGS?.split(' ').filter(Boolean),
  );
  const watcher = new CommitWatcher();
  const results: PhaseResult[] = [];
  try {
    await Promise.all([hub.ready(), adapter.ready()]);
    await watcher.start();
    // A short warm-up, so the first measured notices do not pay for connections and compilation.
    await Promise.all(Array.from({ length: 50 }, (_, i) => post(adapter, credential.token, 9_000_000 + i)));
    await sleep(1000);
    const sampler = new WaitSampler();
    const saturation = await saturated(adapter, credential.token, watcher, 0, sampler, () => new CpuMeter([hub, adapter]));
    results.push(saturation);
    results.push(await offeredRate(adapter, credential.token, watcher, 1_000_000, 50));
    results.push(await offeredRate(adapter, credential.token, watcher, 2_000_000, 200));

    console.log(`floor: BullMQ job -> one insert, concurrency ${INTAKE_CONCURRENCY}: ${Math.round(floor)} jobs/s (${FLOOR_JOBS} jobs)\n${floorCpu}`);
    console.log(
      `hub${process.env.BENCH_HUB_ROOT ? ` from ${process.env.BENCH_HUB_ROOT}` : ''}: INTAKE_CONCURRENCY ${process.env.INTAKE_CONCURRENCY ?? hubDefaults.INTAKE_CONCURRENCY}, DATABASE_POOL_SIZE ${process.env.DATABASE_POOL_SIZE ?? hubDefaults.DATABASE_POOL_SIZE}, LOG_LEVEL ${env.LOG_LEVEL}`,
    );
    const header = ['phase', 'notices', 'notices/s', 'hub/floor', 'POST ms p50/p95/p99', 'send-to-commit ms p50/p95/p99'];
    const rows = results.map((r) => [r.name, String(r.notices), r.perSecond.toFixed(0), (r.perSecond / floor).toFixed(3), r.post, r.commit]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
    console.log(line(header));
    for (const row of rows) console.log(line(row));
    console.log(`while saturated, where the CPU went:\n${saturation.cpu}`);
    console.log(`while saturated, the hub's Postgres connections (busy ones; ${sampler.samples} samples):\n${sampler.report()}`);
    console.log(`RSS: hub ${hub.rss()}, police adapter ${adapter.rss()}`);

    const stored = Number((await pgCount(OWNER_URL, 'SELECT count(*) FROM notification')) ?? 0);
    const expected = 50 + results.reduce((sum, r) => sum + r.notices, 0);
    console.log(`stored ${stored} of ${expected} notices sent${stored === expected ? ' (none lost, none doubled)' : ' — MISMATCH'}`);
    if (stored !== expected) process.exitCode = 1;
  } finally {
    await watcher.stop().catch(() => undefined);
    await Promise.all([hub.stop(), adapter.stop()]);
    for await (const keys of redis.scanStream({ match: `${PREFIX}:*`, count: 500 })) {
      if ((keys as string[]).length) await redis.unlink(...(keys as string[]));
    }
    await redis.quit();
  }
}

async function pgCount(url: string, sql: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows[0]?.count as string | undefined;
  } finally {
    await client.end();
  }
}

await main();
