import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { waitFor } from './environment.js';

const ROOT = resolve(import.meta.dirname, '../..');

export const APPS = {
  hub: 'dist/apps/hub/src/main.js',
  policeAdapter: 'dist/apps/police-adapter/src/main.js',
} as const;

/** A built app running as a real process, with its output kept for assertions and failure reports. */
export class AppProcess {
  readonly output: string[] = [];
  private readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    script: string,
    env: Record<string, string>,
    readonly port?: number,
  ) {
    this.child = spawn(process.execPath, [resolve(ROOT, script)], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env, ...(port && { PORT: String(port) }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => this.output.push(...chunk.split('\n').filter(Boolean)));
    }
    this.exited = once(this.child, 'exit').then(([code]) => code as number | null);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Resolves once GET /health answers 200; fails at once if the process dies first. */
  async ready(timeoutMs = 30_000): Promise<this> {
    let exitCode: number | null | undefined;
    void this.exited.then((code) => (exitCode = code));
    await waitFor(
      `${this.name} to become healthy`,
      async () => {
        if (exitCode !== undefined) throw new Error(`${this.name} exited with ${exitCode}:\n${this.output.join('\n')}`);
        const response = await fetch(`${this.url}/health`).catch(() => undefined);
        return response?.status === 200;
      },
      { timeoutMs, intervalMs: 200 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n--- ${this.name} output ---\n${this.output.join('\n')}`);
    });
    return this;
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Graceful stop; returns the exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    this.child.kill('SIGTERM');
    return this.exited;
  }
}

export function hubEnv(overrides: Record<string, string>): Record<string, string> {
  return { LOG_LEVEL: 'warn', OUTBOX_POLL_INTERVAL_MS: '200', ...overrides };
}
