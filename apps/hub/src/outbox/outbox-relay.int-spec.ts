import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import {
  TEST_APP_DATABASE_URL,
  TEST_REDIS_URL,
  deleteRedisKeys,
  freePort,
  idleInTransaction,
  resetDatabase,
  uniquePrefix,
  waitFor,
  withDatabase,
} from '../../../../test/support/environment.js';
import { HubConfig } from '../config.js';
import { dataSourceOptions } from '../database/data-source.js';
import { Outbox } from './outbox.js';
import { OutboxRelay } from './outbox-relay.js';
import { ParkedOutbox } from './parked-outbox.js';

const prefix = uniquePrefix();

function hubConfig(overrides: Partial<HubConfig> = {}): HubConfig {
  return Object.assign(new HubConfig(), {
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    OUTBOX_MAX_ATTEMPTS: 3,
    QUEUE_PUBLISH_TIMEOUT_MS: 500,
    OUTBOX_RETENTION_HOURS: 48,
    ...overrides,
  });
}

const row = (id: string) =>
  withDatabase(async (db) => (await db.query('SELECT * FROM outbox_message WHERE id = $1', [id])).rows[0]);

/** Makes every unpublished row due now, as if its backoff had passed. */
const makeDue = () => withDatabase((db) => db.query('UPDATE outbox_message SET next_attempt_at = now() WHERE published_at IS NULL'));

describe('the outbox relay (Postgres and Redis)', () => {
  let module: TestingModule;
  let dataSource: DataSource;
  let outbox: Outbox;
  const relays: OutboxRelay[] = [];
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const deliveries = new Queue('police-deliveries', { connection: redis, prefix });

  const relay = (config = hubConfig()) => {
    const created = new OutboxRelay(dataSource, outbox, config);
    relays.push(created);
    return created;
  };
  const add = (queue = 'police-deliveries') =>
    dataSource.transaction((manager) => outbox.add(manager, { queue, pattern: 'notification.accepted', payload: { test: true } }));

  beforeAll(async () => {
    await resetDatabase();
    module = await Test.createTestingModule({
      imports: [TypeOrmModule.forRoot(dataSourceOptions(TEST_APP_DATABASE_URL))],
      providers: [Outbox, ParkedOutbox],
    }).compile();
    dataSource = module.get(getDataSourceToken());
    outbox = module.get(Outbox);
  });

  beforeEach(() => withDatabase((db) => db.query('DELETE FROM outbox_message')));

  afterEach(async () => {
    for (const created of relays.splice(0)) await created.onApplicationShutdown();
  });

  afterAll(async () => {
    await deliveries.close();
    await redis.quit();
    await module?.close();
    await deleteRedisKeys(prefix);
  });

  it('publishes the rows behind one that cannot be published, and records that row’s failure with a backoff', async () => {
    const broken = await add('not:a-queue-name'); // BullMQ refuses a queue name with ':'
    const good = [await add(), await add(), await add()];

    const round = await relay().publishPending();

    expect(round).toEqual({ claimed: 4, published: 3, failed: 1 });
    for (const id of good) {
      expect((await row(id)).published_at).toBeInstanceOf(Date);
      expect(await deliveries.getJob(id)).toBeDefined();
    }
    const failed = await row(broken);
    expect(failed).toMatchObject({ published_at: null, claimed_until: null, parked_at: null, publish_attempts: 1 });
    expect(failed.last_error).toMatch(/:/);
    expect(failed.next_attempt_at.getTime()).toBeGreaterThan(Date.now() + 500);
    // Not due yet: the next round leaves it alone.
    expect(await relay().publishPending()).toEqual({ claimed: 0, published: 0, failed: 0 });
  });

  it('parks a row after OUTBOX_MAX_ATTEMPTS failures, and an operator can list and retry it', async () => {
    const broken = await add('not:a-queue-name');
    const relayer = relay();
    for (let attempt = 1; attempt <= 3; attempt++) {
      await makeDue();
      expect(await relayer.publishPending()).toMatchObject({ claimed: 1, failed: 1 });
    }
    expect(await row(broken)).toMatchObject({ publish_attempts: 3, parked_at: expect.any(Date) });
    await makeDue();
    expect(await relayer.publishPending()).toEqual({ claimed: 0, published: 0, failed: 0 });

    const parked = module.get(ParkedOutbox);
    const page = await parked.list({ offset: 0, limit: 10 });
    expect(page).toEqual({
      total: 1,
      items: [expect.objectContaining({ id: broken, queue: 'not:a-queue-name', pattern: 'notification.accepted', publishAttempts: 3 })],
    });
    expect(page.items[0].lastError).toEqual(expect.any(String));
    expect(await parked.retry(broken)).toBe(true);
    expect(await row(broken)).toMatchObject({ parked_at: null, publish_attempts: 0 });
    expect(await parked.retry(broken)).toBe(false); // no longer parked
    expect(await parked.retry(randomUUID())).toBe(false);
    expect(await relayer.publishPending()).toMatchObject({ claimed: 1 });
  });

  it('lets two relays work side by side without claiming the same row', async () => {
    const ids = await Promise.all(Array.from({ length: 150 }, () => add()));
    const [first, second] = await Promise.all([relay().publishPending(), relay().publishPending()]);
    expect(first.claimed + second.claimed).toBe(150);
    expect(first.published + second.published).toBe(150);
    const published = await withDatabase(
      async (db) => (await db.query('SELECT count(*)::int AS n FROM outbox_message WHERE published_at IS NOT NULL AND publish_attempts = 1')).rows[0].n,
    );
    expect(published).toBe(ids.length);
  });

  describe('with a Redis that never answers', () => {
    let silent: Server;
    let silentUrl: string;
    const sockets: Socket[] = [];
    beforeAll(async () => {
      const port = await freePort();
      silent = createServer((socket) => {
        sockets.push(socket);
        socket.resume();
      }).listen(port, '127.0.0.1');
      silentUrl = `redis://127.0.0.1:${port}/0`;
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });

    it('holds no transaction open while it waits, and records the timeout on the row', async () => {
      const id = await add();
      const round = relay(hubConfig({ REDIS_URL: silentUrl, QUEUE_PUBLISH_TIMEOUT_MS: 1500 })).publishPending();
      round.catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 700));
      const idle = await idleInTransaction();
      expect(idle).toBe(0);
      const outcome = await Promise.race([round, new Promise((resolve) => setTimeout(() => resolve('still waiting'), 5000).unref())]);
      expect(outcome).toEqual({ claimed: 1, published: 0, failed: 1 });
      expect((await row(id)).last_error).toMatch(/did not confirm the message on queue police-deliveries within 1500 ms/);
    });

    it('stops within a bounded time with a publish in flight, leaving the row claimed until its lease ends', async () => {
      const id = await add();
      const stopping = relay(hubConfig({ REDIS_URL: silentUrl, QUEUE_PUBLISH_TIMEOUT_MS: 30_000, OUTBOX_POLL_INTERVAL_MS: 50 }));
      relays.pop(); // stopped here, not in afterEach
      stopping.onApplicationBootstrap();
      await waitFor('the row to be claimed', async () => ((await row(id)).claimed_until ? true : undefined));
      const started = Date.now();
      // QUEUE_PUBLISH_TIMEOUT_MS is long here; shutdown must still not wait for Redis beyond its bound.
      const outcome = await Promise.race([
        stopping.onApplicationShutdown().then(() => 'stopped'),
        new Promise((resolve) => setTimeout(() => resolve('hung'), 35_000).unref()),
      ]);
      expect(outcome).toBe('stopped');
      expect(Date.now() - started).toBeLessThan(10_000);
      expect((await row(id)).published_at).toBeNull();
    }, 40_000);
  });

  it('prunes published rows older than the retention period, and keeps the rest', async () => {
    const old = await Promise.all(Array.from({ length: 5 }, () => add()));
    const recent = await add();
    const pending = await add('not:a-queue-name');
    await withDatabase(async (db) => {
      await db.query("UPDATE outbox_message SET published_at = now() - interval '49 hours' WHERE id = ANY($1)", [old]);
      await db.query("UPDATE outbox_message SET published_at = now() - interval '47 hours' WHERE id = $1", [recent]);
    });
    expect(await relay().prunePublished()).toBe(5);
    const left = await withDatabase(async (db) => (await db.query('SELECT id FROM outbox_message')).rows.map((r: { id: string }) => r.id));
    expect(left.sort()).toEqual([recent, pending].sort());
  });
});
