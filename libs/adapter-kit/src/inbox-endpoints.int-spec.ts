import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { InboxEndpointStore, InvalidInboxEndpointError } from './inbox-endpoints.js';

const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

describe('inbox push endpoints (Redis)', () => {
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  let redis: Redis;
  let store: InboxEndpointStore;

  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 3 });
    store = new InboxEndpointStore(redis, prefix);
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('registers an https endpoint with a new 256-bit secret, stored as given because the HMAC needs it', async () => {
    const endpoint = await store.set({ agency: 'police', organisation: '01', url: 'https://ppn.example.org/mash-inbox', allowHttp: false });
    expect(endpoint.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(endpoint.secret, 'base64url')).toHaveLength(32);
    expect(await redis.hgetall(`${prefix}:inbox-endpoint:police:01`)).toEqual({
      url: 'https://ppn.example.org/mash-inbox',
      secret: endpoint.secret,
      createdAt: endpoint.createdAt,
    });
    expect(await store.get('police', '01')).toEqual(endpoint);
  });

  it('replaces an endpoint with a new secret: the old one no longer signs', async () => {
    const first = await store.set({ agency: 'health', organisation: 'RJ1', url: 'https://trust.example.org/a', allowHttp: false });
    const second = await store.set({ agency: 'health', organisation: 'RJ1', url: 'https://trust.example.org/b', allowHttp: false });
    expect(second.secret).not.toBe(first.secret);
    expect(await store.get('health', 'RJ1')).toMatchObject({ url: 'https://trust.example.org/b', secret: second.secret });
  });

  it('refuses http (unless allowed), credentials in the URL and a bad organisation, storing nothing', async () => {
    await expect(store.set({ agency: 'police', organisation: '02', url: 'http://ppn.example.org/inbox', allowHttp: false })).rejects.toThrow(
      new InvalidInboxEndpointError(
        'the URL must start with https:// (messages are personal data), not http://; http:// is allowed only with INBOX_PUSH_ALLOW_HTTP=true, for tests and local trials',
      ),
    );
    await expect(store.set({ agency: 'police', organisation: '02', url: 'https://a:b@ppn.example.org/', allowHttp: false })).rejects.toThrow(
      'the URL must not carry credentials (user:password@); the signature proves the sender',
    );
    await expect(store.set({ agency: 'police', organisation: '1', url: 'https://ppn.example.org/', allowHttp: false })).rejects.toThrow(
      'for police, the organisation code must be the Home Office police force code (2 digits, 01 to 99), e.g. 01, not "1"',
    );
    expect(await redis.exists(`${prefix}:inbox-endpoint:police:02`)).toBe(0);
    expect(await store.get('police', '02')).toBeNull();

    const trial = await store.set({ agency: 'police', organisation: '02', url: 'http://127.0.0.1:8080/inbox', allowHttp: true });
    expect(trial.url).toBe('http://127.0.0.1:8080/inbox');
  });

  it('removes an endpoint once', async () => {
    await store.set({ agency: 'probation', organisation: 'N07', url: 'https://region.example.org/inbox', allowHttp: false });
    expect(await store.remove('probation', 'N07')).toBe(true);
    expect(await store.remove('probation', 'N07')).toBe(false);
    expect(await store.get('probation', 'N07')).toBeNull();
  });
});
