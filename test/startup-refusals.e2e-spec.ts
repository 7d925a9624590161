import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSharingPolicyFile } from '#sharing';
import { ThrowawayRedis } from '../libs/queue-transport/src/testing/throwaway-redis.js';
import { TEST_APP_DATABASE_URL, TEST_REDIS_URL, freePort } from './support/environment.js';
import { APPS, AppProcess, runCommand } from './support/processes.js';

describe('start-up refusals', () => {
  it('the hub and the adapter refuse a Redis that may evict queued messages', async () => {
    // A Redis of its own, so the shared one keeps its policy.
    const redis = await ThrowawayRedis.start('allkeys-lru');
    try {
      const url = redis.url;
      for (const [name, script] of [['hub', APPS.hub], ['police-adapter', APPS.policeAdapter]] as const) {
        const app = new AppProcess(name, script, { DATABASE_URL: TEST_APP_DATABASE_URL, REDIS_URL: url, MASH_ENV: 'development', PORT: String(await freePort()) });
        expect(await app.exited).toEqual({ code: 1, signal: null });
        expect(app.output.join('\n')).toMatch(/maxmemory-policy allkeys-lru/);
        expect(app.output.join('\n')).toMatch(/noeviction/);
      }
    } finally {
      redis.stop();
    }
  });

  it('a missing or bad setting stops the app with a message naming it', async () => {
    const hub = new AppProcess('hub', APPS.hub, { DATABASE_URL: 'mysql://nope', PORT: 'eighty' });
    expect(await hub.exited).toEqual({ code: 1, signal: null });
    const output = hub.output.join('\n');
    expect(output).toMatch(/DATABASE_URL/);
    expect(output).toMatch(/PORT/);
  });

  it('the hub refuses development mode in a production runtime, naming both variables', async () => {
    const hub = new AppProcess('hub', APPS.hub, { DATABASE_URL: TEST_APP_DATABASE_URL, MASH_ENV: 'development', NODE_ENV: 'production', PORT: String(await freePort()) });
    expect(await hub.exited).toEqual({ code: 1, signal: null });
    const output = hub.output.join('\n');
    expect(output).toMatch(/MASH_ENV/);
    expect(output).toMatch(/NODE_ENV=production/);
  });

  it('the hub without MASH_ENV is production and refuses to start without its secrets', async () => {
    const hub = new AppProcess('hub', APPS.hub, { DATABASE_URL: TEST_APP_DATABASE_URL, PORT: String(await freePort()) });
    expect(await hub.exited).toEqual({ code: 1, signal: null });
    expect(hub.output.join('\n')).toMatch(/STAFF_TOKEN_SECRET=.*required in production/);
  });

  it('the hub refuses a sharing policy that is not valid, naming each problem, and so does the command that prints it', async () => {
    const policy = JSON.parse(readFileSync(defaultSharingPolicyFile(), 'utf8'));
    policy.messages.operation_encompass.recipients.education.push('child.diagnosis');
    delete policy.messages.outcome_feedback;
    const file = join(mkdtempSync(join(tmpdir(), 'mash-policy-')), 'policy.json');
    writeFileSync(file, JSON.stringify(policy));

    const hub = new AppProcess('hub', APPS.hub, {
      DATABASE_URL: TEST_APP_DATABASE_URL,
      REDIS_URL: TEST_REDIS_URL,
      MASH_ENV: 'development',
      SHARING_POLICY_FILE: file,
      PORT: String(await freePort()),
    });
    expect(await hub.exited).toEqual({ code: 1, signal: null });
    const output = hub.output.join('\n');
    // The log is JSON, so the quotes come escaped.
    expect(output).toMatch(/messages\.operation_encompass\.recipients\.education\[9\]: \\*"child\.diagnosis\\*" is not a field defined under fields/);
    expect(output).toMatch(/messages\.outcome_feedback: is missing/);

    const broken = await runCommand('dist/libs/sharing/src/print-policy-command.js', [file], {});
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/"child\.diagnosis" is not a field defined under fields/);
    const shipped = await runCommand('dist/libs/sharing/src/print-policy-command.js', [], {});
    expect(shipped.code).toBe(0);
    expect(shipped.stdout).toMatch(/^Sharing policy version \S+/);
    expect(shipped.stdout).toMatch(/operation_encompass: .*\n  Consent: not a step/);
    expect(shipped.stdout).toMatch(/education +police\.circumstances +incident/);
  });
});
