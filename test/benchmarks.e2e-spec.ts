import { runCommand } from './support/processes.js';

/**
 * The benchmarks are not timed here (their figures mean something only on a quiet machine), but
 * they must keep working as the schema and the apps change: each runs at a tiny size, on
 * databases of its own, and must finish and print its table.
 */
const database = (name: string) => `postgres://postgres@127.0.0.1:5432/mash_test_${name}`;

describe('the benchmarks still run', () => {
  it('bench:intake, with the floor, the hub end to end and the CPU accounting', async () => {
    const run = await runCommand('dist/scripts/bench-intake.js', [], {
      BENCH_DATABASE_URL: database('bench_intake'),
      BENCH_FLOOR_JOBS: '200',
      BENCH_NOTICES: '100',
      BENCH_RATE_SECONDS: '1',
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/floor: BullMQ job -> one insert/);
    expect(run.stdout).toMatch(/saturated \(32 senders\)\s+100\s/);
    expect(run.stdout).toMatch(/CPU ms per notice: hub [\d.]+, police-adapter [\d.]+/);
    expect(run.stdout).toMatch(/none lost, none doubled/);
  }, 180_000);

  it('bench:reads, seeding contacts and audit events the way the hub stores them', async () => {
    const run = await runCommand('dist/scripts/bench-reads.js', [], {
      BENCH_READS_DATABASE_URL: database('bench_reads'),
      BENCH_CONTACTS: '300',
      BENCH_EVENTS: '3000',
      BENCH_REQUESTS: '5',
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/seeded 300 contacts and 3000 audit events/);
    expect(run.stdout).toMatch(/GET \/api\/contacts\/:id \(with timeline\)\s+[\d.]+ \/ [\d.]+ \/ [\d.]+/);
  }, 120_000);

  it('bench:identity, seeding a population and scoring labelled children beside exact matching', async () => {
    const run = await runCommand('dist/scripts/bench-identity.js', [], {
      BENCH_IDENTITY_DATABASE_URL: database('bench_identity'),
      BENCH_CHILDREN: '2000',
      BENCH_QUERIES_PER_KIND: '3',
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/seeded 2000 children/);
    expect(run.stdout).toMatch(/match lookup ms p50 \/ p95 \/ p99: [\d.]+ \/ [\d.]+ \/ [\d.]+/);
    expect(run.stdout).toMatch(/exact matching: +precision [\d.]+, recall [\d.]+/);
    expect(run.stdout).toMatch(/scored matching: precision [\d.]+, recall [\d.]+/);
  }, 120_000);

  it('bench:audit, appending and verifying the chain', async () => {
    const run = await runCommand('dist/scripts/bench-audit.js', [], {
      BENCH_DATABASE_URL: database('bench_audit'),
      BENCH_APPEND_EVENTS: '200',
      BENCH_VERIFY_EVENTS: '1000',
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/verify the whole chain\s+\d+\s+[\d.]+\s+[\d,]+/);
  }, 120_000);
});
