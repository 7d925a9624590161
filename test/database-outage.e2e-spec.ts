import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { MessagePatterns, hubIntakeQueue } from '#contracts';
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
import { TcpProxy } from './support/tcp-proxy.js';

const prefix = uniquePrefix();
const police = await issueTestCredential(prefix, 'police');
const intakeRedis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
const intake = new Queue(hubIntakeQueue('police'), { connection: intakeRedis, prefix });
const stored = () => withDatabase(async (db) => Number((await db.query('SELECT count(*) FROM notification')).rows[0].count));

/**
 * The hub reaches its database only through a proxy the test controls, so the
 * test can take the database away from this hub alone.
 */
describe('a database outage during intake', () => {
  let proxy: TcpProxy;
  let hub: AppProcess;
  let adapter: AppProcess;

  beforeAll(async () => {
    await resetDatabase();
    const target = new URL(TEST_APP_DATABASE_URL);
    proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    const proxied = new URL(TEST_APP_DATABASE_URL);
    proxied.port = String(proxy.port);
    hub = new AppProcess(
      'hub',
      APPS.hub,
      hubEnv({ DATABASE_URL: proxied.toString(), REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, DATABASE_PROBE_INTERVAL_MS: '300' }),
      await freePort(),
    );
    // Two quick attempts: without the pause, a few seconds of outage would dead-letter every notice.
    adapter = new AppProcess(
      'police-adapter',
      APPS.policeAdapter,
      {
        REDIS_URL: TEST_REDIS_URL,
        QUEUE_PREFIX: prefix,
        LOG_LEVEL: 'warn',
        INTAKE_ATTEMPTS: '2',
        INTAKE_BACKOFF_MS: '100',
        QUEUE_KEEP_COMPLETED_SECONDS: '1234',
        DEAD_LETTER_RETENTION_DAYS: '3',
      },
      await freePort(),
    );
    await Promise.all([hub.ready(), adapter.ready()]);
  }, 60_000);

  afterAll(async () => {
    await proxy?.restore();
    await Promise.all([hub?.stop(), adapter?.stop()]);
    await intake.close();
    await intakeRedis.quit();
    await proxy?.cut();
    await deleteRedisKeys(prefix);
  });

  it('pauses intake without using attempts, and stores every notice once when the database is back', async () => {
    const first = await request(adapter.url).post('/notifications').set(police.headers).send(policeNoticeAboutNewChild(1)).expect(202);
    await waitFor('the first notice to be stored', async () => ((await stored()) === 1 ? true : undefined));

    await proxy.cut();
    try {
      const notices = Array.from({ length: 10 }, (_, index) => policeNoticeAboutNewChild(index + 2));
      const accepted = [];
      for (const notice of notices) {
        accepted.push((await request(adapter.url).post('/notifications').set(police.headers).send(notice).expect(202)).body.notificationId as string);
      }

      const health = await waitFor('the hub to report intake paused', async () => {
        const response = await request(hub.url).get('/health');
        return response.status === 503 && response.body.details?.intake?.paused ? response.body : undefined;
      });
      expect(health.details.intake.message).toMatch(/intake paused until the database answers/);
      expect(health.details.intake.paused).toContain(hubIntakeQueue('police'));

      // Several probe intervals and backoffs later: nothing dead-lettered, no attempt used.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(await intake.getJobCountByTypes('failed')).toBe(0);
      for (const id of accepted) {
        const job = await intake.getJob(id);
        expect(`${id}: ${job?.attemptsMade}`).toBe(`${id}: 0`);
      }
    } finally {
      await proxy.restore();
    }
    await waitFor('every notice to be stored', async () => ((await stored()) === 11 ? true : undefined), { timeoutMs: 30_000 });
    const counts = await withDatabase(async (db) => (await db.query(`SELECT count(*)::int AS notifications, count(DISTINCT partner_reference)::int AS refs,
        (SELECT count(*)::int FROM audit_event WHERE action = 'notification.received') AS received FROM notification`)).rows[0]);
    expect(counts).toEqual({ notifications: 11, refs: 11, received: 11 });
    expect(await intake.getJobCountByTypes('failed')).toBe(0);
    await waitFor('the hub to be healthy again', async () => ((await request(hub.url).get('/health')).status === 200 ? true : undefined));

    // The completed intake jobs carry the configured retention.
    const job = await intake.getJob(first.body.notificationId as string);
    expect(job?.opts).toMatchObject({ removeOnComplete: { age: 1234 }, removeOnFail: { age: 3 * 86_400 } });
  }, 90_000);

  it('removes a partner access refusal from Redis once the hub has recorded it', async () => {
    await request(adapter.url).post('/notifications').send(policeNoticeAboutNewChild(99)).expect(401);
    const refusalId = await waitFor('the refusal in the audit trail', () =>
      withDatabase(async (db) => (await db.query("SELECT details->>'refusalId' AS id FROM audit_event WHERE action = 'access.denied'")).rows[0]?.id as string | undefined),
    );
    await waitFor('the refusal job to be gone', async () => ((await intake.getJobState(refusalId)) === 'unknown' ? true : undefined));
    expect(await intake.getJob(refusalId)).toBeUndefined();
  });

  it('dead-letters bad data as permanent and lets an operator replay dead letters in bulk, audited', async () => {
    const before = new Date().toISOString();
    const ids: string[] = [randomUUID(), randomUUID()];
    // Not a valid notification: refused at once, never retried.
    for (const id of ids) await intake.add(MessagePatterns.notificationReceived, { sourceAgency: 'police', notificationId: id }, { jobId: id, attempts: 5 });
    for (const id of ids) await waitFor('the dead letter', async () => ((await intake.getJobState(id)) === 'failed' ? true : undefined));

    const page = await request(hub.url).get(`/api/admin/dead-letters/${hubIntakeQueue('police')}`).set(staff.admin).expect(200);
    expect(page.body.items.filter((item: { id: string }) => ids.includes(item.id)).map((item: { permanent: boolean; attemptsMade: number }) => [item.permanent, item.attemptsMade])).toEqual([
      [true, 1],
      [true, 1],
    ]);

    await request(hub.url)
      .post(`/api/admin/dead-letters/${hubIntakeQueue('police')}/replay`)
      .set(staff.admin)
      .send({ failedFrom: new Date().toISOString(), failedTo: before })
      .expect(400);
    const replayed = await request(hub.url)
      .post(`/api/admin/dead-letters/${hubIntakeQueue('police')}/replay`)
      .set(staff.admin)
      .send({ failedFrom: before })
      .expect(200);
    expect(replayed.body).toEqual({ replayed: 2, ids: expect.arrayContaining(ids), more: false });
    const [event] = await withDatabase(
      async (db) => (await db.query("SELECT actor_id, details FROM audit_event WHERE action = 'dead_letters.replayed' ORDER BY sequence DESC LIMIT 1")).rows,
    );
    expect(event).toMatchObject({ actor_id: 'al.admin', details: { queue: hubIntakeQueue('police'), count: 2, failedFrom: before, more: false } });
    expect(event.details.messageIds.sort()).toEqual([...ids].sort());
  });

  it('shows parked outbox messages to an operator, who may retry one, each step audited', async () => {
    const id = randomUUID();
    // A message the relay gave up on (a queue name it could never publish to).
    await withDatabase((db) =>
      db.query(
        `INSERT INTO outbox_message (id, queue, pattern, payload, created_at, publish_attempts, last_error, parked_at)
         VALUES ($1, 'not:a-queue', 'notification.accepted', '{}', now(), 20, 'Queue name cannot contain :', now())`,
        [id],
      ),
    );
    const page = await request(hub.url).get('/api/admin/outbox/parked').set(staff.admin).expect(200);
    expect(page.body).toEqual({
      total: 1,
      items: [expect.objectContaining({ id, queue: 'not:a-queue', publishAttempts: 20, lastError: 'Queue name cannot contain :' })],
    });
    expect(page.body.items[0].payload).toBeUndefined();
    await request(hub.url).post(`/api/admin/outbox/parked/${id}/retry`).set(staff.admin).expect(204);
    await request(hub.url).post(`/api/admin/outbox/parked/${id}/retry`).set(staff.admin).expect(404);
    await request(hub.url).post('/api/admin/outbox/parked/not-a-uuid/retry').set(staff.admin).expect(400);
    const events = await withDatabase(
      async (db) =>
        (await db.query("SELECT action, actor_id, details FROM audit_event WHERE action IN ('outbox.parked_listed', 'outbox.retried') ORDER BY sequence")).rows,
    );
    expect(events).toEqual([
      { action: 'outbox.parked_listed', actor_id: 'al.admin', details: expect.objectContaining({ offset: 0, limit: 25, messageIds: [id], actorName: 'al.admin' }) },
      { action: 'outbox.retried', actor_id: 'al.admin', details: expect.objectContaining({ messageId: id, actorName: 'al.admin' }) },
    ]);
    // Due again: the relay tries it at once (and it fails again, recorded on the row).
    await waitFor('the relay to try it again', () =>
      withDatabase(async (db) => ((await db.query('SELECT publish_attempts FROM outbox_message WHERE id = $1', [id])).rows[0].publish_attempts >= 1 ? true : undefined)),
    );
  });
});
