import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createDataSource } from '../../apps/hub/src/database/data-source.js';
import { ensureDatabaseExists } from '../../apps/hub/src/database/ensure-database.js';

/** The schema owner: migrations, resets and the tests' own inspection. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/mash_test';
/** The application role, as the hub connects. */
export const TEST_APP_DATABASE_URL = process.env.TEST_APP_DATABASE_URL ?? 'postgres://mash_app@127.0.0.1:5432/mash_test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

/** A queue prefix of its own, so a run never meets another run's (or a developer's) messages. */
export function uniquePrefix(): string {
  return `test-${randomUUID().slice(0, 8)}`;
}

/** An empty schema at the latest migration. */
export async function resetDatabase(): Promise<void> {
  await ensureDatabaseExists(TEST_DATABASE_URL);
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query('DROP SCHEMA IF EXISTS public CASCADE');
    await client.query('CREATE SCHEMA public');
  } finally {
    await client.end();
  }
  const dataSource = await createDataSource(TEST_DATABASE_URL).initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await dataSource.destroy();
  }
}

export async function withDatabase<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Polls until `check` returns a value that is not undefined/false, or fails with what it last saw. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  { timeoutMs = 20_000, intervalMs = 100 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const result = await check();
      if (result !== undefined && result !== false) return result;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

/** Deletes every key under a test's queue prefix (SCAN, never FLUSHDB: the Redis may be shared). */
export async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 3 });
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 500 })) {
      if ((keys as string[]).length) await redis.unlink(...(keys as string[]));
    }
  } finally {
    await redis.quit();
  }
}

/** Runs SQL as the schema owner with the append-only triggers off: what a tamperer with owner rights could do. */
export function tamperWithAuditTrail(sql: string, params: unknown[] = []): Promise<void> {
  return withDatabase(async (db) => {
    await db.query('BEGIN');
    await db.query('ALTER TABLE audit_event DISABLE TRIGGER USER');
    await db.query(sql, params);
    await db.query('ALTER TABLE audit_event ENABLE TRIGGER USER');
    await db.query('COMMIT');
  });
}

export { freePort } from '../../libs/queue-transport/src/testing/free-port.js';

/** Connections of the application role sitting idle inside a transaction now (one held open across a wait shows here). */
export function idleInTransaction(): Promise<number> {
  return withDatabase(
    async (db) =>
      (
        await db.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND usename = 'mash_app' AND state LIKE 'idle in transaction%'",
        )
      ).rows[0].n as number,
  );
}
