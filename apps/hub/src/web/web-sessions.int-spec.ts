import { jest } from '@jest/globals';
import { createHash, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { HubConfig } from '../config.js';
import { WebSessions } from './web-sessions.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const prefix = `test-${randomUUID().slice(0, 8)}`;
const staff = { id: 'account-1', name: 'sam.screener', roles: ['screener' as const], issuer: 'urn:mash:hub' };
let redis: Redis;
let sessions: WebSessions;
let now: number;

beforeAll(() => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  const config = Object.assign(new HubConfig(), { QUEUE_PREFIX: prefix, WEB_SESSION_IDLE_SECONDS: 60, WEB_SESSION_ABSOLUTE_SECONDS: 300 });
  sessions = new WebSessions(redis, config);
});

beforeEach(() => {
  now = Date.parse('2026-03-02T09:00:00Z');
  jest.spyOn(Date, 'now').mockImplementation(() => now);
});

afterEach(() => jest.restoreAllMocks());

afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe('staff page sessions', () => {
  it('keeps the session under a hash of its id, so Redis holds no id that would work as a cookie', async () => {
    const { id } = await sessions.create({ staff });
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await redis.exists(`${prefix}:web-session:${id}`)).toBe(0);
    expect(await redis.exists(`${prefix}:web-session:${createHash('sha256').update(id).digest('hex')}`)).toBe(1);
    expect(await redis.ttl(`${prefix}:web-session:${createHash('sha256').update(id).digest('hex')}`)).toBeLessThanOrEqual(60);
  });

  it('stays open while used, and ends after the idle time without a request', async () => {
    const { id } = await sessions.create({ staff });
    now += 50_000;
    expect((await sessions.find(id)).state).toBe('active');
    now += 50_000; // 100 s after sign-in, but only 50 s idle
    expect((await sessions.find(id)).state).toBe('active');
    now += 61_000;
    expect((await sessions.find(id)).state).toBe('expired');
    // Ended for good: found again it is still ended, not revived.
    now -= 61_000;
    expect((await sessions.find(id)).state).toBe('expired');
  });

  it('ends at the absolute limit however busy', async () => {
    const { id } = await sessions.create({ staff });
    for (let minute = 1; minute <= 4; minute++) {
      now += 59_000;
      expect((await sessions.find(id)).state).toBe('active');
    }
    now += 59_000 + 5_000; // past 300 s since sign-in
    expect((await sessions.find(id)).state).toBe('expired');
  });

  it('tells no cookie and a malformed one from an ended session', async () => {
    expect((await sessions.find(undefined)).state).toBe('none');
    expect((await sessions.find('not a session id')).state).toBe('none');
    expect((await sessions.find('A'.repeat(43))).state).toBe('expired');
  });

  it('destroys a session at sign-out', async () => {
    const { id } = await sessions.create({ staff });
    await sessions.destroy(id);
    expect((await sessions.find(id)).state).toBe('expired');
  });
});
