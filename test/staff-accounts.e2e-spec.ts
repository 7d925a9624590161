import { generateKeyPairSync } from 'node:crypto';
import request from 'supertest';
import { TEST_APP_DATABASE_URL, TEST_REDIS_URL, deleteRedisKeys, resetDatabase, uniquePrefix, withDatabase } from './support/environment.js';
import { APPS, AppProcess, hubEnv, runCommand } from './support/processes.js';

const prefix = uniquePrefix();

/** Runs `staff:create` (alias `staff:create-admin`) as an operator would, with the password on standard input. */
const createAdmin = (args: string[], password: string) =>
  runCommand('dist/apps/hub/src/access/create-staff-command.js', args, { DATABASE_URL: TEST_APP_DATABASE_URL }, `${password}\n`);

const accounts = () => withDatabase(async (db) => (await db.query('SELECT username, roles FROM staff_account ORDER BY username')).rows);

describe('staff accounts', () => {
  beforeEach(async () => {
    await resetDatabase();
  });

  afterAll(async () => {
    await deleteRedisKeys(prefix);
  });

  it('without MASH_ENV the hub runs as production: no development accounts; the first admin comes from the command', async () => {
    const env = hubEnv({
      DATABASE_URL: TEST_APP_DATABASE_URL,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      STAFF_TOKEN_SECRET: 'a production-length secret for this test only',
      AUDIT_SIGNING_KEY: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    });
    // Nothing says which environment this is: the hub must assume production.
    delete env.MASH_ENV;
    const hub = await new AppProcess('hub', APPS.hub, env, 3370).ready();
    try {
      expect(await accounts()).toEqual([]);
      await request(hub.url).post('/api/auth/login').send({ username: 'sam.screener', password: 'development only' }).expect(401);

      expect(await createAdmin(['--username', 'alice.admin'], 'a long enough admin password')).toMatchObject({
        code: 0,
        output: expect.stringContaining('created admin alice.admin'),
      });
      expect(await accounts()).toEqual([{ username: 'alice.admin', roles: ['admin'] }]);
      const signedIn = await request(hub.url).post('/api/auth/login').send({ username: 'alice.admin', password: 'a long enough admin password' }).expect(200);
      expect(signedIn.body.staff.roles).toEqual(['admin']);

      const created = await withDatabase(async (db) =>
        (await db.query("SELECT actor_id, details FROM audit_event WHERE action = 'account.created'")).rows,
      );
      expect(created).toEqual([{ actor_id: 'staff:create', details: { username: 'alice.admin', roles: ['admin'] } }]);
    } finally {
      await hub.stop();
    }
  });

  it('the command refuses a second account of the same name, a short password and a bad username', async () => {
    expect((await createAdmin(['--username', 'bob.admin'], 'a long enough admin password')).code).toBe(0);
    expect(await createAdmin(['--username', 'bob.admin'], 'another long password')).toMatchObject({
      code: 1,
      output: expect.stringContaining('already exists; nothing changed'),
    });
    expect(await createAdmin(['--username', 'carol.admin'], 'short')).toMatchObject({
      code: 1,
      output: expect.stringContaining('at least 12 characters'),
    });
    expect(await createAdmin(['--username', 'no spaces allowed'], 'a long enough admin password')).toMatchObject({ code: 2 });
    expect(await createAdmin([], 'a long enough admin password')).toMatchObject({ code: 2, output: expect.stringContaining('usage') });
    expect(await accounts()).toEqual([{ username: 'bob.admin', roles: ['admin'] }]);
  });

  it('creates a screener or a manager in a team, for a council that signs staff in with built-in accounts', async () => {
    expect(await createAdmin(['--username', 'dev.screener', '--role', 'screener', '--team', 'MASH East'], 'a long enough screener password')).toMatchObject({
      code: 0,
      output: expect.stringContaining('created screener dev.screener (MASH East)'),
    });
    expect(await createAdmin(['--username', 'eve.lead', '--role', 'manager', '--role', 'screener'], 'a long enough manager password')).toMatchObject({ code: 0 });
    const created = await withDatabase(async (db) => (await db.query("SELECT username, roles, team FROM staff_account WHERE username IN ('dev.screener', 'eve.lead') ORDER BY username")).rows);
    expect(created).toEqual([
      { username: 'dev.screener', roles: ['screener'], team: 'MASH East' },
      { username: 'eve.lead', roles: ['manager', 'screener'], team: null },
    ]);
    const [event] = (await withDatabase((db) => db.query("SELECT actor_id, details FROM audit_event WHERE action = 'account.created' AND details->>'username' = 'dev.screener'"))).rows;
    expect(event).toEqual({ actor_id: 'staff:create', details: { username: 'dev.screener', roles: ['screener'], team: 'MASH East' } });

    // A role that is not one, or a team name that is blank or too long, is refused and nothing is created.
    expect(await createAdmin(['--username', 'fay.x', '--role', 'gardener'], 'a long enough password here')).toMatchObject({ code: 2, output: expect.stringContaining('--role must be one of screener, manager, auditor, admin') });
    expect(await createAdmin(['--username', 'fay.x', '--role', 'screener', '--team', '  '], 'a long enough password here')).toMatchObject({ code: 2, output: expect.stringContaining('--team') });
    expect(await createAdmin(['--username', 'fay.x', '--role', 'screener', '--team', 'x'.repeat(101)], 'a long enough password here')).toMatchObject({ code: 2, output: expect.stringContaining('--team') });
    expect((await withDatabase((db) => db.query("SELECT count(*)::int AS n FROM staff_account WHERE username = 'fay.x'"))).rows[0].n).toBe(0);
  });
});
