import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PasswordResult, PasswordTask } from './password-worker.js';

/**
 * Staff passwords, hashed with argon2id (OWASP's minimum: 19 MiB, 2 passes).
 * WebAssembly rather than a native addon: nothing to compile on install. It
 * runs in a small pool of worker threads: on the main thread every sign-in
 * would stall the queue consumers for the length of a hash.
 */
const PARAMETERS = { parallelism: 1, iterations: 2, memorySize: 19 * 1024, hashLength: 32 } as const;
const POOL_SIZE = Math.max(1, Math.min(2, availableParallelism()));

/** The compiled worker beside this file; run from the sources (the tests), the one built into dist/. */
function workerScript(): string {
  const here = fileURLToPath(import.meta.url);
  const sibling = here.replace(/passwords\.[jt]s$/, 'password-worker.js');
  if (existsSync(sibling)) return sibling;
  const built = here.replace(/\/apps\/hub\/src\/access\/passwords\.ts$/, '/dist/apps/hub/src/access/password-worker.js');
  if (built !== here && existsSync(built)) return built;
  throw new Error(`the password worker is not built (looked for ${sibling}): run npm run build`);
}

type NewTask = PasswordTask extends infer T ? (T extends PasswordTask ? Omit<T, 'id'> : never) : never;
type Pending = { task: PasswordTask; resolve: (value: string | boolean) => void; reject: (error: Error) => void };

class PasswordPool {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Pending>();
  private readonly waiting: Pending[] = [];
  private created = 0;
  private nextId = 1;

  run(task: NewTask): Promise<string | boolean> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ task: { ...task, id: this.nextId++ } as PasswordTask, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.waiting.length) {
      const worker = this.idle.pop() ?? (this.created < POOL_SIZE ? this.spawn() : undefined);
      if (!worker) return;
      const pending = this.waiting.shift()!;
      this.busy.set(worker, pending);
      // Held open only while it works, so an idle pool never keeps a process alive.
      worker.ref();
      worker.postMessage(pending.task);
    }
  }

  private spawn(): Worker {
    this.created += 1;
    const worker = new Worker(workerScript());
    worker.on('message', (result: PasswordResult) => {
      const pending = this.busy.get(worker);
      this.busy.delete(worker);
      worker.unref();
      this.idle.push(worker);
      if (pending) {
        if ('error' in result) pending.reject(new Error(`password hashing failed: ${result.error}`));
        else pending.resolve(result.value);
      }
      this.dispatch();
    });
    // A worker that dies fails its task (never silently) and is replaced on the next task.
    const fail = (error: Error) => {
      const pending = this.busy.get(worker);
      this.busy.delete(worker);
      const at = this.idle.indexOf(worker);
      if (at >= 0) this.idle.splice(at, 1);
      this.created -= 1;
      pending?.reject(error);
      this.dispatch();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (this.busy.has(worker) || this.idle.includes(worker)) fail(new Error(`the password worker stopped (exit ${code})`));
    });
    return worker;
  }
}

const pool = new PasswordPool();

export async function hashPassword(password: string): Promise<string> {
  return (await pool.run({ kind: 'hash', password, salt: randomBytes(16), parameters: PARAMETERS })) as string;
}

export async function passwordMatches(password: string, encodedHash: string): Promise<boolean> {
  return (await pool.run({ kind: 'verify', password, hash: encodedHash })) as boolean;
}

/** A hash of nothing in particular, verified against when the account does not exist, so timing does not tell. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  return decoy;
}

/** Long enough to resist guessing, short enough to type: 12 to 200 characters. */
export function passwordProblem(password: string): string | null {
  if (password.length < 12) return 'a password must be at least 12 characters';
  if (password.length > 200) return 'a password must be at most 200 characters';
  return null;
}
