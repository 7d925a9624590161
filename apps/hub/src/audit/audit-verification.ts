import { BadRequestException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CheckpointOutsideRangeError, checkpointSignatureIsValid, type SignedCheckpoint, type VerificationResult } from '#audit';
import { staffActor } from '../access/staff-actor.js';
import type { StaffMember } from '../access/staff.js';
import { AuditTrail } from './audit-trail.js';
import { AuditVerifier } from './audit-verifier.js';
import { Checkpoints } from './checkpoints.js';

export interface SequenceRange {
  from?: number;
  to?: number;
}

/**
 * An auditor's verification of the chain and their checkpoints, each recorded
 * in the trail: the same acts through the API and the staff pages.
 */
@Injectable()
export class AuditVerification {
  constructor(
    private readonly verifier: AuditVerifier,
    readonly checkpoints: Checkpoints,
    private readonly audit: AuditTrail,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /**
   * Verifies the range (the whole chain by default), and that the chain still reaches a kept
   * checkpoint unchanged when one is given; a checkpoint not signed by this hub's key is refused.
   */
  async verify(range: SequenceRange, checkpoint: SignedCheckpoint | undefined, staff: StaffMember): Promise<VerificationResult> {
    if (checkpoint && !checkpointSignatureIsValid(checkpoint, this.checkpoints.publicKeyPem())) {
      throw new BadRequestException('The checkpoint was not signed by this hub’s audit key, or was altered after signing');
    }
    if (range.from !== undefined && range.to !== undefined && range.to < range.from) {
      throw new BadRequestException('to must not be before from');
    }
    let result: VerificationResult;
    try {
      result = await this.verifier.verify({
        from: range.from === undefined ? undefined : BigInt(range.from),
        to: range.to === undefined ? undefined : BigInt(range.to),
        checkpoint: checkpoint && { sequence: checkpoint.sequence, hash: checkpoint.hash },
      });
    } catch (error) {
      if (error instanceof CheckpointOutsideRangeError) throw new BadRequestException(`Not verified: ${error.message}`);
      throw error;
    }
    await this.dataSource.transaction((manager) =>
      this.audit.record(manager, {
        actor: staffActor(staff),
        action: 'audit.verified',
        purpose: 'audit',
        details: {
          from: range.from ?? 1,
          to: range.to ?? null,
          checkpointSequence: checkpoint?.sequence ?? null,
          intact: result.intact,
          verified: result.verified,
          firstBrokenSequence: result.intact ? null : result.firstBroken.sequence,
        },
      }),
    );
    return result;
  }

  /** The stored hash of one event (the last one verified, to show beside an intact result). */
  async hashOf(sequence: string): Promise<string | null> {
    const [event] = (await this.dataSource.query('SELECT hash FROM audit_event WHERE sequence = $1', [sequence])) as { hash: string }[];
    return event?.hash.trim() ?? null;
  }

  /** Signs the chain head now (or returns the newest checkpoint if it already covers it), recorded. */
  async checkpoint(staff: StaffMember): Promise<SignedCheckpoint> {
    const signed = await this.checkpoints.checkpoint();
    await this.dataSource.transaction((manager) =>
      this.audit.record(manager, {
        actor: staffActor(staff),
        action: 'audit.checkpointed',
        purpose: 'audit',
        details: { sequence: signed.sequence, hash: signed.hash, keyId: signed.keyId },
      }),
    );
    return signed;
  }
}
