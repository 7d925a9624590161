import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { GENESIS_HASH, verifyChain, type ExpectedHead, type VerificationResult } from '#audit';
import { readChain } from './audit-chain-reader.js';

export interface VerificationRange {
  from?: bigint;
  to?: bigint;
  /** A head the auditor holds from a checkpoint: events up to it must still be there. */
  checkpoint?: ExpectedHead;
}

/** Walks the stored chain and says whether it is intact, or where it first breaks. */
@Injectable()
export class AuditVerifier {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async verify(range: VerificationRange = {}): Promise<VerificationResult> {
    const from = range.from ?? 1n;
    if (from < 1n) throw new RangeError('verification starts at sequence 1 or later');
    // A range that starts mid-chain is anchored on the stored hash of the event before it.
    let previousHash = GENESIS_HASH;
    if (from > 1n) {
      const [before] = (await this.dataSource.query('SELECT hash FROM audit_event WHERE sequence = $1', [(from - 1n).toString()])) as {
        hash: string;
      }[];
      if (!before) {
        return {
          intact: false,
          from: from.toString(),
          verified: 0,
          firstBroken: {
            sequence: (from - 1n).toString(),
            kind: 'sequence',
            expected: `event ${from - 1n}`,
            found: 'nothing',
            message: `event ${from - 1n}, which the range starts after, is missing`,
          },
        };
      }
      previousHash = before.hash;
    }
    return verifyChain(readChain(this.dataSource, from, range.to), {
      from,
      previousHash,
      to: range.to,
      checkpoint: range.checkpoint,
    });
  }
}
