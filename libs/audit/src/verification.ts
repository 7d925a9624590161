import { GENESIS_HASH, hashEvent, type ChainedEvent } from './chain.js';

export type BreakKind = 'hash' | 'previous_hash' | 'sequence' | 'truncated' | 'checkpoint';

/** The first link that does not hold: where, what was expected, what was found. */
export interface BrokenLink {
  sequence: string;
  kind: BreakKind;
  expected: string;
  found: string;
  message: string;
}

export type VerificationResult =
  /** `checkpoint`: the sequence of the checkpoint the chain was checked against, when one was given. */
  | { intact: true; from: string; to: string | null; verified: number; checkpoint?: string }
  | { intact: false; from: string; verified: number; firstBroken: BrokenLink };

/** A chain head an auditor holds (from a signed checkpoint): events up to it must still be there, unchanged. */
export interface ExpectedHead {
  sequence: string;
  hash: string;
}

export interface VerifyOptions {
  /** The first sequence to check (1 for the whole chain). */
  from: bigint;
  /** The hash the event before `from` carries (GENESIS_HASH when from is 1). */
  previousHash: string;
  /** Stop after this sequence; otherwise to the end. */
  to?: bigint;
  checkpoint?: ExpectedHead;
}

/**
 * Walks events in sequence order and reports the first broken link:
 * an edited event (its hash no longer matches its content), a deleted or
 * inserted one (a gap or a stranger in the sequence), reordered ones (the
 * previous-hash link breaks), or a cut tail (a checkpoint's event is gone).
 * Streaming: memory use does not grow with the chain.
 */
export async function verifyChain(events: AsyncIterable<ChainedEvent>, options: VerifyOptions): Promise<VerificationResult> {
  if (options.checkpoint) assertCheckpointInRange(options.checkpoint, options.from, options.to);
  let expectedSequence = options.from;
  let previousHash = options.previousHash;
  let verified = 0;
  let last: string | null = null;
  const from = options.from.toString();
  const broken = (link: BrokenLink): VerificationResult => ({ intact: false, from, verified, firstBroken: link });

  for await (const event of events) {
    const sequence = BigInt(event.sequence);
    if (options.to !== undefined && sequence > options.to) break;
    if (sequence !== expectedSequence) {
      return broken({
        sequence: expectedSequence.toString(),
        kind: 'sequence',
        expected: `event ${expectedSequence}`,
        found: `event ${sequence}`,
        message: `event ${expectedSequence} is missing: the next event is ${sequence}`,
      });
    }
    if (event.previousHash !== previousHash) {
      return broken({
        sequence: event.sequence,
        kind: 'previous_hash',
        expected: previousHash,
        found: event.previousHash,
        message: `event ${sequence} does not follow the event before it (removed, inserted or reordered)`,
      });
    }
    const recomputed = hashEvent(event);
    if (recomputed !== event.hash) {
      return broken({
        sequence: event.sequence,
        kind: 'hash',
        expected: recomputed,
        found: event.hash,
        message: `event ${sequence} was changed after it was written`,
      });
    }
    if (options.checkpoint && event.sequence === options.checkpoint.sequence && event.hash !== options.checkpoint.hash) {
      return broken({
        sequence: event.sequence,
        kind: 'checkpoint',
        expected: options.checkpoint.hash,
        found: event.hash,
        message: `event ${sequence} differs from the checkpoint: the chain was rewritten from here or earlier`,
      });
    }
    previousHash = event.hash;
    last = event.sequence;
    expectedSequence = sequence + 1n;
    verified += 1;
  }

  const checkpoint = options.checkpoint;
  if (checkpoint && BigInt(checkpoint.sequence) >= expectedSequence && (options.to === undefined || BigInt(checkpoint.sequence) <= options.to)) {
    return broken({
      sequence: expectedSequence.toString(),
      kind: 'truncated',
      expected: `events up to ${checkpoint.sequence} (checkpoint)`,
      found: last === null ? 'no events' : `events up to ${last}`,
      message: `the chain ends at ${last ?? 'nothing'} but a checkpoint vouches for events up to ${checkpoint.sequence}: the tail was cut`,
    });
  }
  return { intact: true, from, to: last, verified, ...(checkpoint && { checkpoint: checkpoint.sequence }) };
}

/** A checkpoint the range does not reach cannot be checked, so it must not look as if it was. */
export class CheckpointOutsideRangeError extends RangeError {
  constructor(checkpoint: string, from: bigint, to: bigint | undefined) {
    super(`the checkpoint at ${checkpoint} is outside the range verified (${from} to ${to ?? 'the end'}): include it in the range`);
    this.name = 'CheckpointOutsideRangeError';
  }
}

function assertCheckpointInRange(checkpoint: ExpectedHead, from: bigint, to: bigint | undefined): void {
  const sequence = BigInt(checkpoint.sequence);
  if (sequence < from || (to !== undefined && sequence > to)) throw new CheckpointOutsideRangeError(checkpoint.sequence, from, to);
}

export { GENESIS_HASH };
