/**
 * Audit trail throughput: `npm run bench:audit`. Prints events per second for
 * appending to the chain and for verifying it, each beside a baseline measured
 * in the same run on the same database:
 *   append  vs  plain inserts of the same rows into an unchained copy of the table
 *   verify  vs  reading the same rows without hashing
 * Uses its own database (BENCH_DATABASE_URL, default mash_bench), reset each run.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { AuditTrail, type AuditRecord } from '../apps/hub/src/audit/audit-trail.js';
import { readChain } from '../apps/hub/src/audit/audit-chain-reader.js';
import { AuditVerifier } from '../apps/hub/src/audit/audit-verifier.js';
import { createDataSource } from '../apps/hub/src/database/data-source.js';
import { freshBenchDatabase } from './bench-support.js';

const OWNER_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/mash_bench';
const APP_URL = process.env.BENCH_APP_DATABASE_URL ?? OWNER_URL.replace(/\/\/[^@/]+@/, '//mash_app@');
const WRITERS = 8;
const APPEND_EVENTS = Number(process.env.BENCH_APPEND_EVENTS ?? 8000);
const VERIFY_EVENTS = Number(process.env.BENCH_VERIFY_EVENTS ?? 100_000);

function record(n: number): AuditRecord {
  return {
    actor: { type: 'person', id: `screener-${n % 40}`, onBehalfOf: 'screener' },
    action: 'contact.viewed',
    subject: { type: 'contact', id: randomUUID() },
    childId: randomUUID(),
    purpose: 'screening',
    correlationId: randomUUID(),
    details: { notificationIds: [randomUUID(), randomUUID()] },
  };
}

async function resetSchema(): Promise<void> {
  const owner = await freshBenchDatabase(OWNER_URL);
  // The baseline: the same columns, no chain lock, no hashes to compute.
  await owner.query('CREATE TABLE plain_event (LIKE audit_event INCLUDING DEFAULTS)');
  await owner.query('GRANT SELECT, INSERT ON plain_event TO mash_app');
  await owner.destroy();
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** WRITERS concurrent writers, each committing `perTransaction` events per transaction until `total` are written. */
async function writers(total: number, perTransaction: number, write: (records: AuditRecord[]) => Promise<unknown>): Promise<void> {
  const transactions = Math.ceil(total / perTransaction);
  let next = 0;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < transactions) {
        next += 1;
        await write(Array.from({ length: perTransaction }, (_, i) => record(next * perTransaction + i)));
      }
    }),
  );
}

const rate = (events: number, seconds: number) => Math.round(events / seconds);
const rows: string[][] = [];
function report(what: string, events: number, seconds: number, baseline: number, baselineName: string): void {
  const perSecond = rate(events, seconds);
  rows.push([what, String(events), seconds.toFixed(2), perSecond.toLocaleString('en-GB'), `${baseline.toLocaleString('en-GB')} (${baselineName})`, `${((perSecond / baseline) * 100).toFixed(0)}%`]);
}

async function main(): Promise<void> {
  await resetSchema();
  const dataSource = await createDataSource(APP_URL).setOptions({ extra: { max: WRITERS + 2 } }).initialize();
  const audit = new AuditTrail();
  const verifier = new AuditVerifier(dataSource);
  const plainInsert = (records: AuditRecord[]) =>
    dataSource.transaction(async (manager) => {
      // Same row shape and size as a chained event, without the head lock or hashing.
      const values = records.map((r, i) => [
        String(Math.floor(Math.random() * 1e15) + i), new Date(), r.actor.type, r.actor.id, r.actor.onBehalfOf, r.action,
        r.subject?.type, r.subject?.id, r.childId, r.purpose, null, r.correlationId, JSON.stringify(r.details), '0'.repeat(64), '0'.repeat(64),
      ]);
      const placeholders = values.map((_, row) => `(${Array.from({ length: 15 }, (_, col) => `$${row * 15 + col + 1}`).join(',')})`);
      await manager.query(`INSERT INTO plain_event VALUES ${placeholders.join(',')}`, values.flat());
    });
  const chainedAppend = (records: AuditRecord[]) => dataSource.transaction((manager) => audit.append(manager, records));

  try {
    for (const perTransaction of [1, 100]) {
      const plain = await timed(() => writers(APPEND_EVENTS, perTransaction, plainInsert));
      const chained = await timed(() => writers(APPEND_EVENTS, perTransaction, chainedAppend));
      report(`append, ${perTransaction}/transaction, ${WRITERS} writers`, APPEND_EVENTS, chained, rate(APPEND_EVENTS, plain), 'plain insert');
    }

    const existing = Number((await dataSource.query('SELECT count(*) FROM audit_event'))[0].count);
    await writers(Math.max(0, VERIFY_EVENTS - existing), 1000, chainedAppend);
    const total = Number((await dataSource.query('SELECT count(*) FROM audit_event'))[0].count);

    let read = 0;
    const readOnly = await timed(async () => {
      for await (const _ of readChain(dataSource, 1n)) read += 1;
    });
    let verified = 0;
    const verifying = await timed(async () => {
      const result = await verifier.verify();
      if (!result.intact) throw new Error(`the benchmark chain is broken: ${JSON.stringify(result.firstBroken)}`);
      verified = result.verified;
    });
    if (read !== total || verified !== total) throw new Error(`read ${read} and verified ${verified} of ${total} events`);
    report('verify the whole chain', total, verifying, rate(total, readOnly), 'read only');
  } finally {
    await dataSource.destroy();
  }

  const header = ['measure', 'events', 'seconds', 'events/s', 'baseline events/s', 'of baseline'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

await main();
