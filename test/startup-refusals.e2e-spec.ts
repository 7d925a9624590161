import { spawn } from 'node:child_process';
import { TEST_APP_DATABASE_URL, freePort, waitFor } from './support/environment.js';
import { APPS, AppProcess } from './support/processes.js';

describe('start-up refusals', () => {
  it('the hub and the adapter refuse a Redis that may evict queued messages', async () => {
    const port = await freePort();
    // A Redis of its own, so the shared one keeps its policy.
    const redis = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'allkeys-lru'], {
      stdio: 'ignore',
    });
    try {
      const url = `redis://127.0.0.1:${port}/0`;
      await waitFor('the evicting Redis to start', async () => {
        const { Redis } = await import('ioredis');
        const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0 });
        try {
          await client.connect();
          return (await client.ping()) === 'PONG';
        } finally {
          client.disconnect();
        }
      });
      for (const [name, script] of [['hub', APPS.hub], ['police-adapter', APPS.policeAdapter]] as const) {
        const app = new AppProcess(name, script, { DATABASE_URL: TEST_APP_DATABASE_URL, REDIS_URL: url, MASH_ENV: 'development', PORT: String(await freePort()) });
        expect(await app.exited).toEqual({ code: 1, signal: null });
        expect(app.output.join('\n')).toMatch(/maxmemory-policy allkeys-lru/);
        expect(app.output.join('\n')).toMatch(/noeviction/);
      }
    } finally {
      redis.kill('SIGTERM');
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
});
