/**
 * Verifies the audit chain from the command line:
 *   npm run audit:verify -- [--from N] [--to M] [--checkpoint checkpoint.json]
 * Prints "intact up to N" or the first broken link, and a JSON line with the
 * details. Exit code 0 intact, 1 broken, 2 a usage or connection problem.
 * Reads only; connects as DATABASE_URL.
 */
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { checkpointSignatureIsValid, type SignedCheckpoint } from '#audit';
import { createDataSource } from '../database/data-source.js';
import { AuditVerifier } from './audit-verifier.js';

const USAGE = 'usage: audit:verify [--from N] [--to M] [--checkpoint checkpoint.json] [--public-key key.pem]';

async function main(): Promise<number> {
  let values: { from?: string; to?: string; checkpoint?: string; 'public-key'?: string };
  try {
    ({ values } = parseArgs({
      options: { from: { type: 'string' }, to: { type: 'string' }, checkpoint: { type: 'string' }, 'public-key': { type: 'string' } },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const from = parseSequence(values.from ?? '1', '--from');
  const to = values.to === undefined ? undefined : parseSequence(values.to, '--to');
  if (from === null || to === null) return 2;

  let checkpoint: SignedCheckpoint | undefined;
  if (values.checkpoint) {
    checkpoint = JSON.parse(readFileSync(values.checkpoint, 'utf8')) as SignedCheckpoint;
    const trusted = values['public-key'] ? readFileSync(values['public-key'], 'utf8') : undefined;
    if (!checkpointSignatureIsValid(checkpoint, trusted)) {
      console.error('the checkpoint signature does not verify: it was altered, or signed by another key');
      return 1;
    }
  }

  const dataSource = await createDataSource(process.env.DATABASE_URL ?? 'postgres://mash_app@127.0.0.1:5432/mash').initialize();
  try {
    const started = process.hrtime.bigint();
    const result = await new AuditVerifier(dataSource).verify({ from, to, checkpoint });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (result.intact) {
      const against = result.checkpoint ? `, and matches the checkpoint at ${result.checkpoint}` : '';
      console.log(`intact up to ${result.to ?? 'nothing (no events)'}${against}: ${result.verified} events in ${seconds.toFixed(2)} s`);
    }
    else console.log(`broken at ${result.firstBroken.sequence}: ${result.firstBroken.message}`);
    console.log(JSON.stringify(result));
    return result.intact ? 0 : 1;
  } finally {
    await dataSource.destroy();
  }
}

function parseSequence(value: string, flag: string): bigint | null {
  if (!/^\d{1,19}$/.test(value) || BigInt(value) < 1n) {
    console.error(`${flag} must be a sequence number of 1 or more, not ${JSON.stringify(value)}\n${USAGE}`);
    return null;
  }
  return BigInt(value);
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error.message);
    process.exit(2);
  },
);
