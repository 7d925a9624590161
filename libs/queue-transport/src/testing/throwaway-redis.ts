import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';
import { waitFor } from './queue-test-support.js';

/**
 * A redis-server of the test's own on a free port, so the shared one never
 * changes policy or users. `freeze()` stops the process (SIGSTOP): it keeps
 * its connections and accepts new ones, but answers nothing, like a hung Redis.
 */
export class ThrowawayRedis {
  private constructor(
    readonly port: number,
    private readonly process: ChildProcess,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  static async start(maxmemoryPolicy = 'noeviction'): Promise<ThrowawayRedis> {
    const port = await freePort();
    const child = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no', '--maxmemory-policy', maxmemoryPolicy], {
      stdio: 'ignore',
    });
    const redis = new ThrowawayRedis(port, child);
    await waitFor('the throwaway Redis to answer', async () => {
      const probe = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG';
      } catch {
        return false;
      } finally {
        probe.disconnect();
      }
    });
    return redis;
  }

  freeze(): void {
    this.process.kill('SIGSTOP');
  }

  thaw(): void {
    this.process.kill('SIGCONT');
  }

  stop(): void {
    this.process.kill('SIGKILL');
  }
}
