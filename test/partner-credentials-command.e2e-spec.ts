import { Redis } from 'ioredis';
import { InboxEndpointStore, PartnerCredentialStore } from '#adapter-kit';
import { TEST_REDIS_URL, deleteRedisKeys, uniquePrefix } from './support/environment.js';
import { runCommand } from './support/processes.js';

const prefix = uniquePrefix();
const COMMAND = 'dist/libs/adapter-kit/src/partner-credentials-command.js';

/** Runs the built command as an operator would (`npm run partner:credentials -- …`), against the test's prefix. */
const credentials = (...args: string[]) => runCommand(COMMAND, args, { REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix });

let redis: Redis;
let store: PartnerCredentialStore;

beforeAll(() => {
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 3 });
  store = new PartnerCredentialStore(redis, prefix);
});

afterAll(async () => {
  await redis?.quit();
  await deleteRedisKeys(prefix);
});

describe('npm run partner:credentials', () => {
  let id: string;
  let token: string;

  it('issues a credential, printing its id and its token once', async () => {
    const issued = await credentials('issue', '--agency', 'police', '--organisation', '01', '--system', 'Exampleshire Police PPN', '--days', '365');
    expect(issued).toMatchObject({ code: 0, stderr: '' });
    id = /^id: +(\S+)$/m.exec(issued.stdout)![1];
    token = /^token: +(\S+)$/m.exec(issued.stdout)![1];
    expect(token).toMatch(new RegExp(`^mash_${id}_[A-Za-z0-9_-]{43}$`));
    expect(issued.stdout).toMatch(/issued a police credential for organisation 01, "Exampleshire Police PPN"/);

    // The printed token is accepted; Redis holds its hash, never the secret.
    const check = await store.check(token);
    expect(check).toMatchObject({ ok: true, credential: { id, agency: 'police', organisation: '01', system: 'Exampleshire Police PPN', revokedAt: null } });
    const stored = await redis.hgetall(`${prefix}:partner-credential:${id}`);
    expect(Object.keys(stored).sort()).toEqual(['agency', 'createdAt', 'expiresAt', 'organisation', 'secretSha256', 'system']);
    expect(JSON.stringify(stored)).not.toContain(token.slice(-43));
    const days = (Date.parse(stored.expiresAt) - Date.parse(stored.createdAt)) / 86_400_000;
    expect(days).toBe(365);
  });

  it('lists credentials with their status, never a secret or its hash', async () => {
    const health = await credentials('issue', '--agency', 'health', '--organisation', 'RJ1', '--system', 'Exampleshire NHS Trust');
    expect(health.code).toBe(0);
    const healthId = /^id: +(\S+)$/m.exec(health.stdout)![1];

    const all = await credentials('list');
    expect(all.code).toBe(0);
    const lines = all.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^${id} +police +01 +active +created .* expires .*"Exampleshire Police PPN"$`));
    expect(lines[1]).toContain(healthId);
    const hash = await redis.hget(`${prefix}:partner-credential:${id}`, 'secretSha256');
    expect(all.stdout).not.toContain(token.slice(-43));
    expect(all.stdout).not.toContain(hash);

    const policeOnly = await credentials('list', '--agency', 'police');
    expect(policeOnly.stdout).toContain(id);
    expect(policeOnly.stdout).not.toContain(healthId);
    expect((await credentials('list', '--agency', 'housing')).stdout).toBe('no credentials for housing\n');

    // Within an agency, by organisation.
    const otherForce = await credentials('issue', '--agency', 'police', '--organisation', '44', '--system', 'Otherplace Police PPN');
    const otherForceId = /^id: +(\S+)$/m.exec(otherForce.stdout)![1];
    const force44 = await credentials('list', '--agency', 'police', '--organisation', '44');
    expect(force44.stdout.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^${otherForceId} +police +44 +active`))]);
    expect((await credentials('list', '--agency', 'police', '--organisation', '02')).stdout).toBe('no credentials for police organisation 02\n');
  });

  it('revokes a credential at once, once', async () => {
    const revoked = await credentials('revoke', '--id', id);
    expect(revoked).toMatchObject({ code: 0, stderr: '' });
    expect(revoked.stdout).toMatch(/^revoked .* it is refused from now on/);
    expect(await store.check(token)).toMatchObject({ ok: false, reason: 'revoked' });
    expect((await credentials('list', '--agency', 'police')).stdout).toMatch(new RegExp(`^${id} +police +01 +revoked +created .* revoked \\d{4}-`));

    expect((await credentials('revoke', '--id', id)).stdout).toMatch(/was already revoked at/);
    const unknown = await credentials('revoke', '--id', '00000000-0000-4000-8000-000000000000');
    expect(unknown).toMatchObject({ code: 1, stderr: 'no credential 00000000-0000-4000-8000-000000000000\n' });
  });

  it('refuses bad arguments with its usage and exit code 2, changing nothing', async () => {
    const before = (await store.list()).length;
    const cases: [string[], RegExp][] = [
      [[], /a command is required/],
      [['rotate'], /unknown command "rotate"/],
      [['issue', '--system', 'X'], /--agency is required/],
      [['issue', '--agency', 'martians', '--organisation', '01', '--system', 'X'], /--agency must be one of police, health/],
      [['issue', '--agency', 'police', '--system', 'X'], /--organisation is required: the Home Office police force code \(2 digits, 01 to 99\), e\.g\. 01/],
      [
        ['issue', '--agency', 'police', '--organisation', 'RJ1', '--system', 'X'],
        /^--organisation: for police, the organisation code must be the Home Office police force code \(2 digits, 01 to 99\), e\.g\. 01, not "RJ1"$/m,
      ],
      [['issue', '--agency', 'education', '--organisation', '12345', '--system', 'X'], /--organisation: for education, the organisation code must be the school's URN \(6 digits\)/],
      [['issue', '--agency', 'housing', '--organisation', 'Southwark', '--system', 'X'], /--organisation: for housing, the organisation code must be the council's ONS local authority code/],
      [['issue', '--agency', 'health', '--organisation', 'rj1', '--system', 'X'], /--organisation: for health, the organisation code must be the NHS ODS organisation code/],
      [['issue', '--agency', 'probation', '--organisation', 'London', '--system', 'X'], /--organisation: for probation, the organisation code must be the Probation Service region code/],
      [['issue', '--agency', 'police', '--organisation', '01'], /--system is required/],
      [['issue', '--agency', 'police', '--organisation', '01', '--system', ' padded '], /--system must be 1 to 100 characters/],
      [['issue', '--agency', 'police', '--organisation', '01', '--system', 'X', '--days', '0'], /--days must be a whole number from 1 to 730/],
      [['issue', '--agency', 'police', '--organisation', '01', '--system', 'X', '--days', '9999'], /--days must be/],
      [['issue', '--agency', 'police', '--organisation', '01', '--system', 'X', '--days', 'soon'], /--days must be/],
      [['issue', '--agency', 'police', '--organisation', '01', '--system', 'X', '--colour', 'blue'], /Unknown option '--colour'/],
      [['list', '--organisation', '01'], /--organisation needs --agency/],
      [['list', '--agency', 'police', '--organisation', 'RJ1'], /--organisation: for police, the organisation code must be/],
      [['list', '--system', 'X'], /list does not take --system/],
      [['revoke'], /--id is required/],
      [['revoke', '--id', 'not-a-uuid'], /--id must be a credential id/],
      [['revoke', '--id', id, 'extra'], /unexpected argument "extra"/],
    ];
    const results = await Promise.all(cases.map(([args]) => credentials(...args)));
    results.forEach((result, index) => {
      const [args, message] = cases[index];
      expect({ args, code: result.code, stdout: result.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toContain('usage: npm run partner:credentials -- <command> [options]');
    });
    expect((await store.list()).length).toBe(before);
  });
});

describe('npm run partner:credentials -- endpoint', () => {
  const endpointKey = `${prefix}:inbox-endpoint:police:01`;

  it('registers an https endpoint, printing its new signing secret once, and stores that secret (the HMAC needs it)', async () => {
    const set = await credentials('endpoint', 'set', '--agency', 'police', '--organisation', '01', '--url', 'https://ppn.example.org/mash-inbox');
    expect(set).toMatchObject({ code: 0, stderr: '' });
    expect(set.stdout).toMatch(/^registered the inbox push endpoint of police organisation 01: https:\/\/ppn\.example\.org\/mash-inbox$/m);
    const secret = /^secret: +(\S+)$/m.exec(set.stdout)![1];
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(await redis.hgetall(endpointKey)).toEqual({ url: 'https://ppn.example.org/mash-inbox', secret, createdAt: expect.any(String) });

    // Shown, never with its secret.
    const shown = await credentials('endpoint', 'show', '--agency', 'police', '--organisation', '01');
    expect(shown).toMatchObject({ code: 0, stderr: '' });
    expect(shown.stdout).toMatch(/^police +01 +https:\/\/ppn\.example\.org\/mash-inbox +registered \S+$/m);
    expect(shown.stdout).not.toContain(secret);

    // Registering again replaces the secret: the old one no longer signs.
    const again = await credentials('endpoint', 'set', '--agency', 'police', '--organisation', '01', '--url', 'https://ppn.example.org/v2');
    const newSecret = /^secret: +(\S+)$/m.exec(again.stdout)![1];
    expect(newSecret).not.toBe(secret);
    expect(await new InboxEndpointStore(redis, prefix).get('police', '01')).toMatchObject({ url: 'https://ppn.example.org/v2', secret: newSecret });
  });

  it('refuses an endpoint that is not https, carries credentials or names no host, with exit code 2, storing nothing', async () => {
    const set = (url: string, extraEnv: Record<string, string> = {}) =>
      runCommand(COMMAND, ['endpoint', 'set', '--agency', 'police', '--organisation', '02', '--url', url], { REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, ...extraEnv });
    const cases: [string, string][] = [
      ['http://ppn.example.org/inbox', '--url: the URL must start with https:// (messages are personal data), not http://; http:// is allowed only with INBOX_PUSH_ALLOW_HTTP=true, for tests and local trials'],
      ['ftp://ppn.example.org/inbox', '--url: the URL must start with https:// (messages are personal data), not ftp://; http:// is allowed only with INBOX_PUSH_ALLOW_HTTP=true, for tests and local trials'],
      ['https://user:secret@ppn.example.org/inbox', '--url: the URL must not carry credentials (user:password@); the signature proves the sender'],
      ['https://', '--url: "https://" is not a URL'],
      ['ppn.example.org', '--url: "ppn.example.org" is not a URL'],
    ];
    const results = await Promise.all(cases.map(([url]) => set(url)));
    results.forEach((result, index) => {
      expect({ url: cases[index][0], code: result.code, stdout: result.stdout }).toEqual({ url: cases[index][0], code: 2, stdout: '' });
      expect(result.stderr.split('\n')[0]).toBe(cases[index][1]);
    });
    const others: [string[], RegExp][] = [
      [['endpoint'], /^endpoint needs one of set, show, remove$/m],
      [['endpoint', 'rotate', '--agency', 'police', '--organisation', '02'], /^endpoint needs one of set, show, remove, not "rotate"$/m],
      [['endpoint', 'set', '--agency', 'police', '--organisation', '02'], /^--url is required/m],
      [['endpoint', 'set', '--agency', 'police', '--organisation', '2', '--url', 'https://ppn.example.org/'], /^--organisation: for police, the organisation code must be/m],
      [['endpoint', 'show', '--agency', 'police'], /^--organisation is required/m],
      [['endpoint', 'remove', '--agency', 'police', '--organisation', '02', '--url', 'https://x.example.org/'], /^endpoint remove does not take --url$/m],
    ];
    const otherResults = await Promise.all(others.map(([args]) => credentials(...args)));
    otherResults.forEach((result, index) => {
      expect({ args: others[index][0], code: result.code, stdout: result.stdout }).toEqual({ args: others[index][0], code: 2, stdout: '' });
      expect(result.stderr).toMatch(others[index][1]);
    });
    expect(await redis.exists(`${prefix}:inbox-endpoint:police:02`)).toBe(0);

    // The documented setting for tests and local trials allows http://.
    const trial = await set('http://127.0.0.1:8080/inbox', { INBOX_PUSH_ALLOW_HTTP: 'true' });
    expect(trial).toMatchObject({ code: 0, stderr: '' });
    expect(await redis.hget(`${prefix}:inbox-endpoint:police:02`, 'url')).toBe('http://127.0.0.1:8080/inbox');
  });

  it('removes an endpoint once; the second time says there is none', async () => {
    expect(await credentials('endpoint', 'remove', '--agency', 'police', '--organisation', '01')).toMatchObject({ code: 0, stderr: '' });
    expect(await redis.exists(endpointKey)).toBe(0);
    const again = await credentials('endpoint', 'remove', '--agency', 'police', '--organisation', '01');
    expect(again).toMatchObject({ code: 1, stderr: 'no inbox push endpoint for police organisation 01\n' });
    const shown = await credentials('endpoint', 'show', '--agency', 'police', '--organisation', '01');
    expect(shown).toMatchObject({ code: 0, stdout: 'no inbox push endpoint for police organisation 01\n' });
  });
});
