import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort, waitFor } from './environment.js';

/**
 * A redis-server of the test's own on a free port, so the shared one is never
 * disturbed. `freeze()` stops the process (SIGSTOP): it keeps its connections
 * and accepts new ones, but answers nothing, like a hung Redis.
 */
export class ThrowawayRedis {
  private constructor(
    readonly url: string,
    private readonly process: ChildProcess,
  ) {}

  static async start(): Promise<ThrowawayRedis> {
    const port = await freePort();
    const child = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], {
      stdio: 'ignore',
    });
    const url = `redis://127.0.0.1:${port}/0`;
    await waitFor('the throwaway Redis to answer', async () => {
      const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      client.on('error', () => undefined);
      try {
        await client.connect();
        return (await client.ping()) === 'PONG';
      } finally {
        client.disconnect();
      }
    });
    return new ThrowawayRedis(url, child);
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
