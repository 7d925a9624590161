import { ThrowawayRedis } from '../libs/queue-transport/src/testing/throwaway-redis.js';
import { TEST_APP_DATABASE_URL, freePort } from './support/environment.js';
import { APPS, AppProcess } from './support/processes.js';

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
});
