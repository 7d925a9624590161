import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { PartnerInbox, UnknownInboxCursorError, type InboxMessage } from './inbox.js';

const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

const message = (overrides: Partial<InboxMessage> = {}): InboxMessage => ({
  messageId: randomUUID(),
  kind: 'notification.accepted',
  correlationId: randomUUID(),
  createdAt: '2026-03-01T09:00:00.000Z',
  body: { notificationId: randomUUID(), contactIds: [randomUUID()] },
  ...overrides,
});

describe('partner inbox (Redis)', () => {
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  let redis: Redis;
  let inbox: PartnerInbox;

  /** Every message id of the organisation's inbox, page by page. */
  async function allPages(organisation: string, limit: number): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let after: string | undefined;
    for (let pages = 1; pages < 100; pages++) {
      const page = await inbox.page(organisation, { after, limit });
      expect(page.items.length).toBeLessThanOrEqual(limit);
      ids.push(...page.items.map((item) => item.messageId));
      if (page.next === null) return { ids, pages };
      expect(page.next).toBe(page.items[page.items.length - 1].messageId);
      after = page.next;
    }
    throw new Error('paging did not end');
  }

  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 3 });
    inbox = new PartnerInbox(redis, prefix, 'police', 3600);
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('pages oldest first, each message once, ending with null', async () => {
    const sent = Array.from({ length: 7 }, () => message());
    for (const each of sent) expect(await inbox.put('11', each)).toBe(true);

    const first = await inbox.page('11', { limit: 3 });
    expect(first.items).toEqual(sent.slice(0, 3));
    expect(first.next).toBe(sent[2].messageId);
    expect(await allPages('11', 3)).toEqual({ ids: sent.map((m) => m.messageId), pages: 3 });
    // A page exactly as long as what is left still ends with null.
    expect((await inbox.page('11', { after: sent[3].messageId, limit: 3 })).next).toBeNull();
    expect(await inbox.page('11', { after: sent[6].messageId, limit: 3 })).toEqual({ items: [], next: null });
    expect(await inbox.page('12', { limit: 50 })).toEqual({ items: [], next: null });
  });

  it('adds nothing for a message delivered again, even once acknowledged', async () => {
    const sent = message();
    expect(await inbox.put('21', sent)).toBe(true);
    expect(await inbox.put('21', { ...sent, body: { changed: true } })).toBe(false);
    expect((await inbox.page('21', { limit: 50 })).items).toEqual([sent]);

    await inbox.acknowledge('21', sent.messageId, new Date('2026-03-01T10:00:00Z'));
    expect(await inbox.put('21', sent)).toBe(false);
    expect(await inbox.page('21', { limit: 50 })).toEqual({ items: [], next: null });
    // One arrival only: the counter moved once.
    expect(await redis.get(`${prefix}:inbox:police:21:sequence`)).toBe('1');
  });

  it("keeps organisations apart: another organisation's message is not there for it, nor usable as a cursor", async () => {
    const ours = message();
    const theirs = message();
    await inbox.put('31', ours);
    await inbox.put('32', theirs);
    expect((await inbox.page('31', { limit: 50 })).items.map((m) => m.messageId)).toEqual([ours.messageId]);
    expect((await inbox.page('32', { limit: 50 })).items.map((m) => m.messageId)).toEqual([theirs.messageId]);
    expect(await inbox.get('31', theirs.messageId)).toBeNull();
    expect(await inbox.acknowledge('31', theirs.messageId, new Date())).toBeNull();
    await expect(inbox.page('31', { after: theirs.messageId, limit: 50 })).rejects.toThrow(UnknownInboxCursorError);
    await expect(inbox.page('31', { after: randomUUID(), limit: 50 })).rejects.toThrow(/there is no message .* in your inbox/);
    // Their message is untouched by our attempts.
    expect(await inbox.get('32', theirs.messageId)).toEqual(theirs);
    // Under the agency's own key space, where its Redis user may write.
    expect(await redis.exists(`${prefix}:inbox:police:32:message:${theirs.messageId}`)).toBe(1);
  });

  it('acknowledges once: the first time stands, the message leaves the inbox and is kept for the retention period', async () => {
    const [a, b] = [message(), message()];
    await inbox.put('41', a);
    await inbox.put('41', b);
    const first = await inbox.acknowledge('41', a.messageId, new Date('2026-03-01T10:00:00Z'));
    const again = await inbox.acknowledge('41', a.messageId, new Date('2026-03-01T11:00:00Z'));
    expect(first).toBe('2026-03-01T10:00:00.000Z');
    expect(again).toBe(first);
    expect((await inbox.page('41', { limit: 50 })).items.map((m) => m.messageId)).toEqual([b.messageId]);
    expect(await inbox.get('41', a.messageId)).toMatchObject({ acknowledgedAt: first });
    const ttl = await redis.ttl(`${prefix}:inbox:police:41:message:${a.messageId}`);
    expect(ttl).toBeGreaterThan(3500);
    expect(ttl).toBeLessThanOrEqual(3600);
    // Unacknowledged messages do not expire.
    expect(await redis.ttl(`${prefix}:inbox:police:41:message:${b.messageId}`)).toBe(-1);
    // An acknowledged message still works as a cursor for a partner part way through its pages.
    expect(await inbox.page('41', { after: a.messageId, limit: 50 })).toEqual({ items: [await inbox.get('41', b.messageId)], next: null });
    expect(await inbox.acknowledge('41', randomUUID(), new Date())).toBeNull();
  });

  it('records the first delivery only', async () => {
    const sent = message();
    await inbox.put('51', sent);
    await inbox.markDelivered('51', [sent.messageId], new Date('2026-03-01T10:00:00Z'));
    await inbox.markDelivered('51', [sent.messageId, randomUUID()], new Date('2026-03-01T11:00:00Z'));
    expect((await inbox.page('51', { limit: 50 })).items).toEqual([{ ...sent, deliveredAt: '2026-03-01T10:00:00.000Z' }]);
    // Marking an id that is not there creates nothing.
    expect(await redis.keys(`${prefix}:inbox:police:51:message:*`)).toHaveLength(1);
  });

  it('puts each message once when the same delivery arrives many times at once', async () => {
    const sent = message();
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => inbox.put('61', sent)));
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect((await inbox.page('61', { limit: 50 })).items).toEqual([sent]);
  });
});
