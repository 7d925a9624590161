import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import request from 'supertest';
import { MessagePatterns, agencyQueue, inboxPushQueue } from '#contracts';
import { inboxPushJobId } from '#adapter-kit';
import { TEST_APP_DATABASE_URL, TEST_REDIS_URL, deleteRedisKeys, freePort, resetDatabase, uniquePrefix, waitFor, withDatabase } from './support/environment.js';
import { issueTestCredential, type TestCredential } from './support/partner-credentials.js';
import { APPS, AppProcess, hubEnv, runCommand } from './support/processes.js';
import { policeNotice } from './support/police-notices.js';
import { staff } from './support/staff.js';

const prefix = uniquePrefix();
const env = { DATABASE_URL: TEST_APP_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix };
const ATTEMPTS = 8;
const COMMAND = 'dist/libs/adapter-kit/src/partner-credentials-command.js';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

/**
 * A partner's endpoint: answers each path's queued statuses in turn (then 204), records every
 * request, and can stop listening and start again on the same port.
 */
class Receiver {
  readonly received: Received[] = [];
  private readonly answers = new Map<string, number[]>();
  private server: Server | undefined;

  constructor(readonly port: number) {}

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  answer(path: string, ...statuses: number[]): void {
    this.answers.set(path, statuses);
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const path = req.url ?? '';
        const status = this.answers.get(path)?.shift() ?? 204;
        this.received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  to(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }
}

let hub: AppProcess;
let adapter: AppProcess;
let receiver: Receiver;
let deliveriesQueue: Queue;
let pushQueue: Queue;
let redis: Redis;
const forces: Record<string, TestCredential> = {};
const secrets: Record<string, string> = {};

/** Registers the force's endpoint with the operators' command, as an operator would; returns the secret it printed. */
async function register(organisation: string, url: string): Promise<string> {
  const run = await runCommand(COMMAND, ['endpoint', 'set', '--agency', 'police', '--organisation', organisation, '--url', url], {
    ...env,
    INBOX_PUSH_ALLOW_HTTP: 'true',
  });
  expect(run).toMatchObject({ code: 0, stderr: '' });
  return /^secret: +(\S+)$/m.exec(run.stdout)![1];
}

async function submit(organisation: string): Promise<string> {
  const submitted = await request(adapter.url).post('/notifications').set(forces[organisation].headers).send(policeNotice()).expect(202);
  return submitted.body.notificationId as string;
}

/** The inbox's message id (the hub's outbox id) of a notification's acceptance. */
const messageIdOf = (notificationId: string) =>
  waitFor('the acceptance to be sent', () =>
    withDatabase(async (db) => (await db.query("SELECT id FROM outbox_message WHERE payload->>'notificationId' = $1", [notificationId])).rows[0]?.id as string | undefined),
  );

/** Whether the message is still waiting in the force's inbox, read from Redis so that no listing counts as a delivery. */
const waitingInInbox = async (organisation: string, messageId: string) =>
  (await redis.zscore(`${prefix}:inbox:police:${organisation}:unacknowledged`, messageId)) !== null;

const auditEvents = (action: string, messageId: string) =>
  withDatabase(
    async (db) =>
      (
        await db.query("SELECT actor_id, details FROM audit_event WHERE action = $1 AND subject_type = 'outbox_message' AND subject_id = $2", [action, messageId])
      ).rows as { actor_id: string; details: Record<string, unknown> }[],
  );

function expectValidSignature(push: Received, secret: string): void {
  const timestamp = String(push.headers['x-mash-timestamp']);
  expect(Math.abs(Date.now() / 1000 - Number(timestamp))).toBeLessThan(120);
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${push.body}`).digest('hex')}`);
  const given = Buffer.from(String(push.headers['x-mash-signature']));
  expect(given.length === expected.length && timingSafeEqual(given, expected)).toBe(true);
}

beforeAll(async () => {
  await resetDatabase();
  for (const organisation of ['01', '02', '03', '44']) {
    forces[organisation] = await issueTestCredential(prefix, 'police', { organisation, system: `Force ${organisation} PPN` });
  }
  receiver = new Receiver(await freePort());
  await receiver.start();
  hub = new AppProcess('hub', APPS.hub, hubEnv({ ...env }), await freePort());
  adapter = new AppProcess(
    'police-adapter',
    APPS.policeAdapter,
    { ...env, LOG_LEVEL: 'warn', INBOX_PUSH_ALLOW_HTTP: 'true', INBOX_PUSH_ATTEMPTS: String(ATTEMPTS), INBOX_PUSH_BACKOFF_MS: '300', INBOX_PUSH_MAX_BACKOFF_MS: '600', INBOX_PUSH_TIMEOUT_MS: '2000' },
    await freePort(),
  );
  await Promise.all([hub.ready(), adapter.ready()]);
  deliveriesQueue = new Queue(agencyQueue('police'), { connection: { url: TEST_REDIS_URL }, prefix });
  pushQueue = new Queue(inboxPushQueue('police'), { connection: { url: TEST_REDIS_URL }, prefix });
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 3 });
  secrets['01'] = await register('01', receiver.url('/force-01'));
}, 60_000);

afterAll(async () => {
  await deliveriesQueue?.close();
  await pushQueue?.close();
  await redis?.quit();
  await Promise.all([hub?.stop(), adapter?.stop(), receiver?.stop()]);
  await deleteRedisKeys(prefix);
});

describe('inbox push', () => {
  let messageId: string;

  it("pushes a notice's acceptance to the force's endpoint, signed, exactly as GET /inbox shows it", async () => {
    // The push consumer is part of the adapter's health.
    expect((await request(adapter.url).get('/health').expect(200)).body.info).toMatchObject({ deliveries: { status: 'up' }, inboxPush: { status: 'up' } });
    messageId = await messageIdOf(await submit('01'));
    const [push] = await waitFor('the push', async () => (receiver.to('/force-01').length ? receiver.to('/force-01') : undefined));
    expect(push.headers['x-mash-message-id']).toBe(messageId);
    expect(push.headers['content-type']).toBe('application/json');
    expectValidSignature(push, secrets['01']);

    // Delivered once, by the adapter's push, with no credential.
    const [delivered] = await waitFor('the push delivery in the trail', async () => ((await auditEvents('inbox.delivered', messageId)).length ? auditEvents('inbox.delivered', messageId) : undefined));
    expect(delivered).toMatchObject({ actor_id: 'police-adapter', details: { channel: 'push', credentialId: null, organisation: '01', messageId } });

    // The push never acknowledges: the message is still there to pull, the same bytes' meaning, and listing it records nothing more.
    const listed = await request(adapter.url).get('/inbox').set(forces['01'].headers).expect(200);
    expect(listed.body.items).toEqual([JSON.parse(push.body)]);
    await delay(500);
    expect(await auditEvents('inbox.delivered', messageId)).toHaveLength(1);
  });

  it('does not push a redelivered message twice', async () => {
    const delivery = await deliveriesQueue.getJob(messageId);
    const { data } = delivery!;
    await delivery!.remove();
    const redelivered = await deliveriesQueue.add(MessagePatterns.notificationAccepted, data, { jobId: messageId });
    await waitFor('the redelivery to be handled', async () => (await redelivered.isCompleted()) || undefined);
    await delay(1_000);
    expect(receiver.to('/force-01')).toHaveLength(1);
    expect(await pushQueue.getJobCounts('completed', 'waiting', 'delayed', 'active', 'failed')).toEqual({ completed: 1, waiting: 0, delayed: 0, active: 0, failed: 0 });
    expect(await pushQueue.getJob(inboxPushJobId('police', '01', messageId))).toBeDefined();
  });

  it('retries while the endpoint answers 503 or is not listening, delivers once when it recovers, and one acknowledgement is recorded', async () => {
    const down = new Receiver(await freePort());
    // Refused for as long as the test needs, however many attempts the machine's speed lets in.
    down.answer('/force-44', ...Array<number>(1000).fill(503));
    await down.start();
    secrets['44'] = await register('44', down.url('/force-44'));
    const id = await messageIdOf(await submit('44'));

    await waitFor('two refused pushes', async () => down.to('/force-44').length >= 2 || undefined);
    await down.stop();
    down.answer('/force-44');
    await delay(700);
    // Not delivered meanwhile, but waiting in the inbox for pulling.
    expect(await waitingInInbox('44', id)).toBe(true);
    expect(await auditEvents('inbox.delivered', id)).toHaveLength(0);
    await down.start();

    const taken = await waitFor('the push to get through', async () => down.to('/force-44').find((r) => r.status === 204));
    expectValidSignature(taken, secrets['44']);
    // Refused at least twice, then taken exactly once.
    const statuses = down.to('/force-44').map((r) => r.status);
    expect(statuses.length).toBeGreaterThanOrEqual(3);
    expect(statuses).toEqual([...Array<number>(statuses.length - 1).fill(503), 204]);
    const delivered = await waitFor('the delivery in the trail', async () => ((await auditEvents('inbox.delivered', id)).length ? auditEvents('inbox.delivered', id) : undefined));
    expect(delivered).toHaveLength(1);
    expect(delivered[0].details).toMatchObject({ channel: 'push', organisation: '44' });
    expect((await pushQueue.getJob(inboxPushJobId('police', '44', id)))!.attemptsMade).toBeGreaterThanOrEqual(3);

    // The force acknowledges, twice (a retry after a lost answer): one acknowledgement in the trail.
    for (let i = 0; i < 2; i++) await request(adapter.url).post(`/inbox/${id}/acknowledge`).set(forces['44'].headers).expect(200);
    const acknowledged = await waitFor('the acknowledgement in the trail', async () => ((await auditEvents('inbox.acknowledged', id)).length ? auditEvents('inbox.acknowledged', id) : undefined));
    await delay(500);
    expect(await auditEvents('inbox.acknowledged', id)).toHaveLength(1);
    expect(acknowledged[0].details).toMatchObject({ credentialId: forces['44'].credential.id });
    expect(await waitingInInbox('44', id)).toBe(false);
    expect(down.to('/force-44')).toHaveLength(3);
    await down.stop();
  });

  it('does not push a message acknowledged while its push waits for a retry', async () => {
    const later = new Receiver(await freePort());
    await register('03', later.url('/force-03'));
    const id = await messageIdOf(await submit('03'));
    const job = await waitFor('the push to fail once', async () => {
      const found = await pushQueue.getJob(inboxPushJobId('police', '03', id));
      return found && found.attemptsMade >= 1 ? found : undefined;
    });
    expect(job.failedReason).toBe(`push of ${id} to organisation 03 failed: ECONNREFUSED`);
    await request(adapter.url).post(`/inbox/${id}/acknowledge`).set(forces['03'].headers).expect(200);
    await later.start();
    await waitFor('the push job to end', async () => (await pushQueue.getJob(inboxPushJobId('police', '03', id)))?.isCompleted() || undefined);
    expect(later.received).toHaveLength(0);
    expect(await auditEvents('inbox.delivered', id)).toHaveLength(0);
    await later.stop();
  });

  it('leaves a dead letter after the last failed attempt, and the message in the inbox', async () => {
    await register('02', receiver.url('/force-02'));
    receiver.answer('/force-02', ...Array<number>(ATTEMPTS).fill(503));
    const id = await messageIdOf(await submit('02'));
    const jobId = inboxPushJobId('police', '02', id);
    await waitFor('the dead letter', async () => (await pushQueue.getJob(jobId))?.isFailed() || undefined, { timeoutMs: 25_000 });
    const deadLetter = await pushQueue.getJob(jobId);
    expect(deadLetter!.attemptsMade).toBe(ATTEMPTS);
    expect(deadLetter!.failedReason).toBe(`push of ${id} to organisation 02 answered 503`);
    // Ids only in the dead letter: no message body, no personal data.
    expect(deadLetter!.data).toEqual({ agency: 'police', organisation: '02', messageId: id });
    expect(receiver.to('/force-02')).toHaveLength(ATTEMPTS);
    expect(await auditEvents('inbox.delivered', id)).toHaveLength(0);
    const listed = await request(adapter.url).get('/inbox').set(forces['02'].headers).expect(200);
    expect(listed.body.items.map((item: { messageId: string }) => item.messageId)).toEqual([id]);
    // The adapter's log names the dead letter by ids, never the message's content.
    await waitFor('the dead letter in the log', async () => adapter.output.some((line) => line.includes('message dead-lettered') && line.includes(jobId)) || undefined);
    const log = adapter.output.join('\n');
    for (const personal of ['9990000379', 'Amy', 'I hid in my room']) expect(log).not.toContain(personal);

    // An operator sees it among the hub's dead letters and, once the endpoint is fixed, replays it: pushed and delivered.
    const page = await request(hub.url).get(`/api/admin/dead-letters/${inboxPushQueue('police')}`).set(staff.admin).expect(200);
    expect(page.body.items).toEqual([expect.objectContaining({ id: jobId, pattern: MessagePatterns.inboxPush, permanent: false, attemptsMade: ATTEMPTS })]);
    await request(hub.url).post(`/api/admin/dead-letters/${inboxPushQueue('police')}/${jobId}/replay`).set(staff.admin).expect(204);
    const taken = await waitFor('the replayed push', async () => receiver.to('/force-02').find((r) => r.status === 204));
    expect(taken.headers['x-mash-message-id']).toBe(id);
    expect(receiver.to('/force-02')).toHaveLength(ATTEMPTS + 1);
    // Listed above, so already delivered by pull: the push adds no second delivery.
    await waitFor('the replayed push to complete', async () => (await pushQueue.getJob(jobId))?.isCompleted() || undefined);
    const delivered = await auditEvents('inbox.delivered', id);
    expect(delivered).toHaveLength(1);
    expect(delivered[0].details).toMatchObject({ credentialId: forces['02'].credential.id });
    expect(delivered[0].details.channel).toBeUndefined();
  }, 40_000);
});
