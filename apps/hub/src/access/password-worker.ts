/**
 * Runs argon2 for the password pool (passwords.ts) in a worker thread, so a
 * hash of tens of milliseconds never holds up the hub's event loop and the
 * queue consumers on it.
 */
import { argon2id, argon2Verify } from 'hash-wasm';
import { parentPort } from 'node:worker_threads';

export type PasswordTask =
  | { id: number; kind: 'hash'; password: string; salt: Uint8Array; parameters: { parallelism: number; iterations: number; memorySize: number; hashLength: number } }
  | { id: number; kind: 'verify'; password: string; hash: string };

export type PasswordResult = { id: number; value: string | boolean } | { id: number; error: string };

parentPort?.on('message', (task: PasswordTask) => {
  const work =
    task.kind === 'hash'
      ? argon2id({ ...task.parameters, password: task.password, salt: task.salt, outputType: 'encoded' })
      : argon2Verify({ password: task.password, hash: task.hash });
  work.then(
    (value) => parentPort!.postMessage({ id: task.id, value } satisfies PasswordResult),
    (error: Error) => parentPort!.postMessage({ id: task.id, error: error.message } satisfies PasswordResult),
  );
});
