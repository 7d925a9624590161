import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TEST_APP_DATABASE_URL, waitFor } from './environment.js';
import { TEST_STAFF_TOKEN_SECRET } from './staff.js';

const ROOT = resolve(import.meta.dirname, '../..');

export const APPS = {
  hub: 'dist/apps/hub/src/main.js',
  policeAdapter: 'dist/apps/police-adapter/src/main.js',
  housingAdapter: 'dist/apps/housing-adapter/src/main.js',
  probationAdapter: 'dist/apps/probation-adapter/src/main.js',
  educationAdapter: 'dist/apps/education-adapter/src/main.js',
  healthAdapter: 'dist/apps/health-adapter/src/main.js',
} as const;

/** A built app running as a real process, with its output kept for assertions and failure reports. */
export class AppProcess {
  readonly output: string[] = [];
  private readonly child: ChildProcess;
  /** How the process ended: an exit code, or the signal that ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

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
    this.exited = once(this.child, 'exit').then(([code, signal]) => ({
      code: code as number | null,
      signal: signal as NodeJS.Signals | null,
    }));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Resolves once GET /health answers 200; fails at once if the process dies first. */
  async ready(timeoutMs = 30_000): Promise<this> {
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    void this.exited.then((result) => (exit = result));
    await waitFor(
      `${this.name} to become healthy`,
      async () => {
        if (exit) throw new Error(`${this.name} exited (${exit.signal ?? exit.code}):\n${this.output.join('\n')}`);
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

  /**
   * Graceful stop with SIGTERM. Nest closes the app (consumers finish their
   * in-flight messages), then re-raises the signal, so a clean stop ends by
   * SIGTERM rather than with exit code 0.
   */
  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}

/** Where test hubs keep their audit signing key: outside the working tree, shared by the test runs. */
export const TEST_SIGNING_KEY_FILE = join(tmpdir(), 'mash-test', 'audit-signing-key.pem');

export function hubEnv(overrides: Record<string, string>): Record<string, string> {
  return {
    // The tests sign in with the development accounts; production is the default, so ask for development.
    MASH_ENV: 'development',
    LOG_LEVEL: 'warn',
    // Refusals reach the audit trail counted a window at a time: a short window, so tests need not wait long.
    ACCESS_REFUSAL_WINDOW_SECONDS: '1',
    OUTBOX_POLL_INTERVAL_MS: '200',
    AUDIT_SIGNING_KEY_FILE: TEST_SIGNING_KEY_FILE,
    STAFF_TOKEN_SECRET: TEST_STAFF_TOKEN_SECRET,
    ...overrides,
  };
}

export interface CommandRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Both streams, in the order they were written. */
  output: string;
}

/** Runs a built command to its end as an operator would, with only PATH and `env`, and `input` on standard input. */
export async function runCommand(script: string, args: string[], env: Record<string, string>, input?: string): Promise<CommandRun> {
  const child = spawn(process.execPath, [resolve(ROOT, script), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  const run: CommandRun = { code: null, stdout: '', stderr: '', output: '' };
  child.stdout!.on('data', (chunk: Buffer) => ((run.stdout += chunk), (run.output += chunk)));
  child.stderr!.on('data', (chunk: Buffer) => ((run.stderr += chunk), (run.output += chunk)));
  if (input !== undefined) child.stdin!.end(input);
  const [code] = await once(child, 'exit');
  run.code = code as number | null;
  return run;
}

/** `npm run audit:verify`, against the test database. */
export function auditVerifyCommand(...args: string[]): Promise<CommandRun> {
  return runCommand('dist/apps/hub/src/audit/verify-command.js', args, { DATABASE_URL: TEST_APP_DATABASE_URL });
}
