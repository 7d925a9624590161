import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import request from 'supertest';
import { ACL_PASSWORD_PLACEHOLDER, AGENCIES, MessagePatterns, hubIntakeQueue, inboxPushQueue, redisAclSetUser } from '#contracts';
import { InboxEndpointStore, PartnerCredentialStore, PartnerInbox, inboxPushJobId } from '#adapter-kit';
import { ThrowawayRedis } from '../libs/queue-transport/src/testing/throwaway-redis.js';
import { freePort } from './support/environment.js';
import { APPS, AppProcess, runCommand } from './support/processes.js';
import { policeNotice } from './support/police-notices.js';

/** The ACL line the README documents for the police adapter: the test runs exactly that line. */
const README = readFileSync(resolve(import.meta.dirname, '..', 'README.md'), 'utf8');
const ACL_LINE = /^ACL SETUSER police-adapter .*$/m.exec(README)?.[0];
const PASSWORD = 'a-test-only-password';

describe("the README's Redis ACL for an adapter", () => {
  let redisServer: ThrowawayRedis;
  let admin: Redis;
  let url: string;
  let policeUrl: string;
  let adapter: AppProcess;

  beforeAll(async () => {
    // A Redis of its own: the shared one's users are not the tests' to change.
    redisServer = await ThrowawayRedis.start();
    url = redisServer.url;
    policeUrl = `redis://police-adapter:${PASSWORD}@127.0.0.1:${redisServer.port}/0`;
    admin = new Redis(url, { maxRetriesPerRequest: 1 });
    expect(ACL_LINE).toBeDefined();
    const [, ...args] = ACL_LINE!.split(/\s+/);
    await admin.call('ACL', ...args.map((arg) => (arg.startsWith('>') ? `>${PASSWORD}` : arg)));
  }, 30_000);

  afterAll(async () => {
    await adapter?.stop();
    admin?.disconnect();
    redisServer?.stop();
  });

  it('is the line the agency registry gives, which `npm run redis:acl` prints', async () => {
    expect(ACL_LINE).toBe(redisAclSetUser('police', 'mash', ACL_PASSWORD_PLACEHOLDER));
    const printed = await runCommand('dist/libs/adapter-kit/src/redis-acl-command.js', [], { QUEUE_PREFIX: 'mash' });
    expect(printed.code).toBe(0);
    expect(printed.stdout.trim().split('\n')).toEqual(AGENCIES.map((agency) => redisAclSetUser(agency, 'mash', ACL_PASSWORD_PLACEHOLDER)));
  });

  it('is enough for the police adapter to take a notice and publish it to its own intake queue', async () => {
    const { token } = await new PartnerCredentialStore(admin, 'mash').issue({ agency: 'police', organisation: '01', system: 'ACL test', days: 1 });
    adapter = await new AppProcess('police-adapter', APPS.policeAdapter, { REDIS_URL: policeUrl, LOG_LEVEL: 'warn' }, await freePort()).ready();
    const submitted = await request(adapter.url).post('/notifications').set('authorization', `Bearer ${token}`).send(policeNotice()).expect(202);
    const intake = new Queue(hubIntakeQueue('police'), { connection: { url }, prefix: 'mash' });
    try {
      expect((await intake.getJob(submitted.body.notificationId))?.name).toBe(MessagePatterns.notificationReceived);
    } finally {
      await intake.close();
    }
  });

  it("lets the police adapter's user keep its forces' inboxes", async () => {
    const police = new Redis(policeUrl, { maxRetriesPerRequest: 1 });
    try {
      const inbox = new PartnerInbox(police, 'mash', 'police', 3600);
      const message = { messageId: randomUUID(), kind: 'notification.accepted', correlationId: randomUUID(), createdAt: new Date().toISOString(), body: {} };
      expect(await inbox.put('01', message)).toBe(true);
      expect((await inbox.page('01', { limit: 50 })).items).toEqual([message]);
      expect(await inbox.acknowledge('01', message.messageId, new Date())).toEqual(expect.any(String));
    } finally {
      police.disconnect();
    }
  });

  it("lets the police adapter's user read (not write) its forces' push endpoints and keep its own push queue", async () => {
    const registered = await new InboxEndpointStore(admin, 'mash').set({ agency: 'police', organisation: '01', url: 'https://ppn.example.org/inbox', allowHttp: false });
    const police = new Redis(policeUrl, { maxRetriesPerRequest: 1 });
    const push = new Queue(inboxPushQueue('police'), { connection: { url: policeUrl }, prefix: 'mash' });
    const healthPush = new Queue(inboxPushQueue('health'), { connection: { url: policeUrl }, prefix: 'mash' });
    try {
      const endpoints = new InboxEndpointStore(police, 'mash');
      expect(await endpoints.get('police', '01')).toEqual(registered);
      // Only the operators' command may point a force's messages somewhere else.
      await expect(endpoints.set({ agency: 'police', organisation: '01', url: 'https://elsewhere.example.org/', allowHttp: false })).rejects.toThrow(/NOPERM/);
      await expect(endpoints.remove('police', '01')).rejects.toThrow(/NOPERM/);
      await expect(police.hgetall('mash:inbox-endpoint:health:RJ1')).rejects.toThrow(/NOPERM/);
      const job = { agency: 'police', organisation: '01', messageId: randomUUID() };
      expect((await push.add(MessagePatterns.inboxPush, job, { jobId: inboxPushJobId('police', '01', job.messageId) })).id).toBeDefined();
      await expect(healthPush.add(MessagePatterns.inboxPush, job, { jobId: 'forged' })).rejects.toThrow(/NOPERM/);
    } finally {
      await push.close();
      await healthPush.close();
      police.disconnect();
    }
  });

  it("refuses the police adapter's user another agency's queue, receipts and the credentials themselves", async () => {
    const health = new Queue(hubIntakeQueue('health'), { connection: { url: policeUrl }, prefix: 'mash' });
    const police = new Redis(policeUrl, { maxRetriesPerRequest: 1 });
    try {
      await expect(health.add(MessagePatterns.notificationReceived, {}, { jobId: 'forged' })).rejects.toThrow(/NOPERM/);
      await expect(police.hset('mash:receipt:health:x', 'status', 'accepted')).rejects.toThrow(/NOPERM/);
      await expect(police.hset('mash:inbox:health:RJ1:message:x', 'kind', 'notification.accepted')).rejects.toThrow(/NOPERM/);
      await expect(police.hset('mash:partner-credential:x', 'agency', 'police')).rejects.toThrow(/NOPERM/);
      await expect(police.flushall()).rejects.toThrow(/NOPERM/);
    } finally {
      await health.close();
      police.disconnect();
    }
  });
});
