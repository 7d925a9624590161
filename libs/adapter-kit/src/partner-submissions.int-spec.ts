import { ConflictException } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { exampleNotification, hubIntakeQueue, type SafeguardingNotification } from '#contracts';
import { QueueClient } from '#queue-transport';
import { notificationIdFor } from './notification-id.js';
import { PartnerSubmissions, type CanonicalMapping, type Sender } from './partner-submissions.js';
import { ReceiptBook } from './receipt-book.js';

const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

/** A partner's notice, as an adapter receives it: the narrative is what a correction changes. */
interface Notice {
  reference: string;
  narrative: string;
}

const mapping =
  (notice: Notice): CanonicalMapping =>
  (ids) => ({ ...exampleNotification({ ...ids, partnerReference: notice.reference, narrative: notice.narrative }) });

const sender = (organisation = '01'): Sender => ({
  organisation,
  submittedBy: { credentialId: randomUUID(), system: `Force ${organisation} PPN` },
});

describe('partner submissions (Redis)', () => {
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  let redis: Redis;
  let client: QueueClient;
  let queue: Queue;
  let receipts: ReceiptBook;
  let submissions: PartnerSubmissions;

  /**
   * Makes the next publish fail as it does when Redis goes away: either before Redis has the job,
   * or after it has it but before the reply arrives (the ambiguous case).
   */
  function failNextPublish(when: 'before-redis-has-it' | 'after-redis-has-it') {
    const add = queue.add.bind(queue);
    queue.add = (async (...args: Parameters<Queue['add']>) => {
      queue.add = add;
      if (when === 'after-redis-has-it') await add(...args);
      throw new Error('Connection is closed.');
    }) as Queue['add'];
  }

  const submit = (notice: Notice, from = sender()) => submissions.submit(notice.reference, notice, mapping(notice), from);
  const queued = async (notificationId: string) => (await queue.getJob(notificationId))?.data as SafeguardingNotification | undefined;

  beforeAll(async () => {
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 3 });
    client = new QueueClient({ redisUrl: TEST_REDIS_URL, prefix, queue: hubIntakeQueue('police') });
    queue = await client.connect();
    receipts = new ReceiptBook(redis, prefix, 'police', 3600);
    submissions = new PartnerSubmissions('police', receipts, client);
  });

  afterAll(async () => {
    await client.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('queues a corrected resend in place of a submission whose publish failed', async () => {
    const notice = { reference: `PPN/${randomUUID().slice(0, 8)}`, narrative: 'First account, with a mistake.' };
    const notificationId = notificationIdFor('police', '01', notice.reference);
    failNextPublish('before-redis-has-it');
    await expect(submit(notice)).rejects.toThrow('Connection is closed.');
    expect(await receipts.get('01', notificationId)).toMatchObject({ status: 'pending' });
    expect(await queued(notificationId)).toBeUndefined();

    const corrected = { ...notice, narrative: 'Corrected account.' };
    const result = await submit(corrected);
    expect(result).toMatchObject({ notificationId, status: 'queued', duplicate: false });
    expect(await queued(notificationId)).toMatchObject({ narrative: 'Corrected account.', correlationId: result.correlationId, sourceOrganisation: '01' });
    expect(await receipts.get('01', notificationId)).toMatchObject({ status: 'queued', correlationId: result.correlationId });

    // Once queued, the corrected content is the notification: the same again is a duplicate, anything else a conflict.
    expect(await submit(corrected)).toMatchObject({ notificationId, duplicate: true, status: 'queued' });
    await expect(submit(notice)).rejects.toThrow(ConflictException);
  });

  it('refuses different content with 409 once something is queued', async () => {
    const notice = { reference: `PPN/${randomUUID().slice(0, 8)}`, narrative: 'The account.' };
    await submit(notice);
    const refusal = submit({ ...notice, narrative: 'Another account.' });
    await expect(refusal).rejects.toThrow(ConflictException);
    await expect(refusal).rejects.toThrow(`Reference ${notice.reference} was already received with different content`);
    expect(await queued(notificationIdFor('police', '01', notice.reference))).toMatchObject({ narrative: 'The account.' });
  });

  it('treats a pending submission whose job reached the queue after all as queued', async () => {
    const notice = { reference: `PPN/${randomUUID().slice(0, 8)}`, narrative: 'The account Redis took.' };
    const notificationId = notificationIdFor('police', '01', notice.reference);
    failNextPublish('after-redis-has-it');
    await expect(submit(notice)).rejects.toThrow('Connection is closed.');
    expect(await receipts.get('01', notificationId)).toMatchObject({ status: 'pending' });

    await expect(submit({ ...notice, narrative: 'A different account.' })).rejects.toThrow(ConflictException);
    expect(await receipts.get('01', notificationId)).toMatchObject({ status: 'queued' });
    expect(await queued(notificationId)).toMatchObject({ narrative: 'The account Redis took.' });
    expect(await submit(notice)).toMatchObject({ notificationId, duplicate: true, status: 'queued' });
  });

  it('lets exactly one of several concurrent corrections replace a failed submission', async () => {
    const notice = { reference: `PPN/${randomUUID().slice(0, 8)}`, narrative: 'Failed account.' };
    const notificationId = notificationIdFor('police', '01', notice.reference);
    failNextPublish('before-redis-has-it');
    await expect(submit(notice)).rejects.toThrow('Connection is closed.');

    const corrections = Array.from({ length: 6 }, (_, i) => ({ ...notice, narrative: `Correction ${i}.` }));
    const outcomes = await Promise.allSettled(corrections.map((correction) => submit(correction)));
    const accepted = outcomes.flatMap((outcome, i) => (outcome.status === 'fulfilled' ? [{ i, result: outcome.value }] : []));
    expect(accepted).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'rejected').every((o) => (o as PromiseRejectedResult).reason instanceof ConflictException)).toBe(true);
    // The one answered 202 is the one queued, and the receipt describes it.
    const [{ i, result }] = accepted;
    expect(await queued(notificationId)).toMatchObject({ narrative: `Correction ${i}.`, correlationId: result.correlationId });
    expect(await receipts.get('01', notificationId)).toMatchObject({ status: 'queued', correlationId: result.correlationId });
  });

  it('replaces a receipt only while it is pending with the fingerprint the replacer read', async () => {
    const notificationId = randomUUID();
    const receipt = (fingerprint: string) => ({
      notificationId,
      correlationId: randomUUID(),
      organisation: '01',
      partnerReference: 'PPN/CAS',
      fingerprint,
      status: 'pending' as const,
      receivedAt: new Date().toISOString(),
    });
    await receipts.create(receipt('a'));
    expect(await receipts.replacePending('a', receipt('b'))).toBe(true);
    // A second replacer that read 'a' lost the race: it must not overwrite 'b'.
    expect(await receipts.replacePending('a', receipt('c'))).toBe(false);
    expect(await receipts.get('01', notificationId)).toMatchObject({ fingerprint: 'b', status: 'pending' });
    await receipts.markQueued('01', notificationId);
    expect(await receipts.replacePending('b', receipt('d'))).toBe(false);
    expect(await receipts.get('01', notificationId)).toMatchObject({ fingerprint: 'b', status: 'queued' });
  });

  it('lets one request at a time work on a notification', async () => {
    const order: string[] = [];
    const work = (name: string) => async () => {
      order.push(`${name} starts`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      order.push(`${name} ends`);
    };
    await Promise.all([receipts.exclusively('01', 'n-1', work('a')), receipts.exclusively('01', 'n-1', work('b'))]);
    expect([order[0].split(' ')[0], order[1].split(' ')[0]]).toEqual([order[0].split(' ')[0], order[0].split(' ')[0]]);
    expect(await redis.exists(`${prefix}:receipt:police:01:n-1:lock`)).toBe(0);
  });

  it('keeps two organisations that use the same reference apart, receipts included', async () => {
    const reference = `PPN/${randomUUID().slice(0, 8)}`;
    const first = await submit({ reference, narrative: 'Force 01 account.' }, sender('01'));
    const second = await submit({ reference, narrative: 'Force 44 account.' }, sender('44'));
    expect(second).toMatchObject({ duplicate: false, status: 'queued' });
    expect(second.notificationId).not.toBe(first.notificationId);
    expect(await queued(first.notificationId)).toMatchObject({ sourceOrganisation: '01', narrative: 'Force 01 account.' });
    expect(await queued(second.notificationId)).toMatchObject({ sourceOrganisation: '44', narrative: 'Force 44 account.' });
    expect(await receipts.get('44', first.notificationId)).toBeNull();
  });
});
