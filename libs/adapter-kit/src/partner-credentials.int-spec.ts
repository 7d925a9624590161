import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { PartnerCredentialStore, parsePartnerToken } from './partner-credentials.js';

const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

describe('partner credentials (Redis)', () => {
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  let redis: Redis;
  let store: PartnerCredentialStore;

  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 3 });
    store = new PartnerCredentialStore(redis, prefix);
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('issues mash_<id>_<256-bit secret>, stores only its SHA-256, and accepts it', async () => {
    const { credential, token } = await store.issue({ agency: 'police', organisation: '01', system: 'Exampleshire Police PPN', days: 365 });
    expect(token).toMatch(new RegExp(`^mash_${credential.id}_[A-Za-z0-9_-]{43}$`));
    expect(parsePartnerToken(token)?.secret).toHaveLength(32);
    const stored = await redis.hgetall(`${prefix}:partner-credential:${credential.id}`);
    expect(stored.secretSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.values(stored).join(' ')).not.toContain(token.slice(-43));
    expect(await store.check(token)).toEqual({ ok: true, credential });
  });

  it('refuses a malformed token, an unknown id and a wrong secret', async () => {
    const { credential, token } = await store.issue({ agency: 'police', organisation: '01', system: 'A', days: 1 });
    const secret = token.slice(-43);
    expect(await store.check(token.toUpperCase())).toMatchObject({ ok: false, reason: 'malformed_credential' });
    expect(await store.check(`${token}A`)).toMatchObject({ ok: false, reason: 'malformed_credential' });
    // The 43rd character carries 4 bits of the secret and 2 that must be zero: 'B' (000001) never round-trips.
    expect(parsePartnerToken(`mash_${credential.id}_${secret.slice(0, 42)}B`)).toBeNull();
    const unknownId = randomUUID();
    expect(await store.check(`mash_${unknownId}_${secret}`)).toEqual({ ok: false, reason: 'unknown_credential', credentialId: unknownId });
    const other = await store.issue({ agency: 'police', organisation: '01', system: 'B', days: 1 });
    expect(await store.check(`mash_${credential.id}_${other.token.slice(-43)}`)).toEqual({
      ok: false,
      reason: 'wrong_secret',
      credentialId: credential.id,
    });
  });

  it('refuses a revoked and an expired credential, and revokes only once', async () => {
    const live = await store.issue({ agency: 'health', organisation: 'RJ1', system: 'Trust', days: 30 });
    expect((await store.revoke(live.credential.id))?.outcome).toBe('revoked');
    expect((await store.revoke(live.credential.id))?.outcome).toBe('already_revoked');
    expect(await store.revoke(randomUUID())).toBeNull();
    expect(await store.check(live.token)).toMatchObject({ ok: false, reason: 'revoked', credential: { revokedAt: expect.any(String) } });

    const old = await store.issue({ agency: 'health', organisation: 'RJ1', system: 'Trust', days: 1, now: new Date(Date.now() - 2 * 86_400_000) });
    expect(await store.check(old.token)).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('lists by agency, and by organisation within it, oldest first, without secrets', async () => {
    const otherTrust = await store.issue({ agency: 'health', organisation: 'RX1', system: 'Other trust', days: 30 });
    const listed = await store.list('health');
    expect(listed.length).toBe(3);
    expect(listed.every((c) => c.agency === 'health')).toBe(true);
    expect((await store.list('health', 'RX1')).map((c) => c.id)).toEqual([otherTrust.credential.id]);
    expect((await store.list('health', 'RJ1')).every((c) => c.organisation === 'RJ1')).toBe(true);
    expect(JSON.stringify(listed)).not.toMatch(/secret/i);
    expect(listed.map((c) => c.createdAt)).toEqual(listed.map((c) => c.createdAt).sort());
  });

  it('refuses to issue what it could not check', async () => {
    await expect(store.issue({ agency: 'martians' as never, organisation: '01', system: 'X', days: 1 })).rejects.toThrow(/unknown agency/);
    await expect(store.issue({ agency: 'police', organisation: '01', system: '', days: 1 })).rejects.toThrow(/system name/);
    await expect(store.issue({ agency: 'police', organisation: '01', system: 'X', days: 731 })).rejects.toThrow(/days/);
    // Each agency's organisation codes have their own form.
    await expect(store.issue({ agency: 'police', organisation: 'RJ1', system: 'X', days: 1 })).rejects.toThrow(
      'for police, the organisation code must be the Home Office police force code (2 digits, 01 to 99), e.g. 01, not "RJ1"',
    );
    await expect(store.issue({ agency: 'education', organisation: '12345', system: 'X', days: 1 })).rejects.toThrow(/school's URN \(6 digits\)/);
    await expect(store.issue({ agency: 'housing', organisation: 'e09000028', system: 'X', days: 1 })).rejects.toThrow(/ONS local authority code/);
    await expect(store.issue({ agency: 'health', organisation: '', system: 'X', days: 1 })).rejects.toThrow(/ODS organisation code/);
  });

  it('treats a stored credential without a valid organisation as unknown', async () => {
    const { credential, token } = await store.issue({ agency: 'police', organisation: '01', system: 'Old', days: 1 });
    await redis.hdel(`${prefix}:partner-credential:${credential.id}`, 'organisation');
    expect(await store.check(token)).toEqual({ ok: false, reason: 'unknown_credential', credentialId: credential.id });
  });
});
