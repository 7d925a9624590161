import { argon2id, argon2Verify } from 'hash-wasm';
import { randomBytes } from 'node:crypto';

/**
 * Staff passwords, hashed with argon2id (OWASP's minimum: 19 MiB, 2 passes).
 * WebAssembly rather than a native addon: nothing to compile on install.
 */
const PARAMETERS = { parallelism: 1, iterations: 2, memorySize: 19 * 1024, hashLength: 32 } as const;

export async function hashPassword(password: string): Promise<string> {
  return argon2id({ ...PARAMETERS, password, salt: randomBytes(16), outputType: 'encoded' });
}

export async function passwordMatches(password: string, encodedHash: string): Promise<boolean> {
  return argon2Verify({ password, hash: encodedHash });
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
