import { BadRequestException, Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsString, Matches, Max, Min, ValidateNested } from 'class-validator';
import type { DataSource } from 'typeorm';
import { CheckpointOutsideRangeError, checkpointSignatureIsValid, type SignedCheckpoint, type VerificationResult } from '#audit';
import { CurrentStaff } from '../access/access.guard.js';
import { Allow, Roles } from '../access/access-policy.js';
import { staffActor } from '../access/staff-actor.js';
import type { StaffMember } from '../access/staff.js';
import { AuditTrail } from './audit-trail.js';
import { AuditVerifier } from './audit-verifier.js';
import { Checkpoints } from './checkpoints.js';

export class VerificationRangeQuery {
  @ApiPropertyOptional({ minimum: 1, description: 'First sequence number to check (default 1)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  from?: number;

  @ApiPropertyOptional({ minimum: 1, description: 'Last sequence number to check (default: the end)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  to?: number;
}

export class CheckpointDto implements SignedCheckpoint {
  @ApiProperty() @Matches(/^\d{1,19}$/, { message: '$property must be a sequence number' }) sequence!: string;
  @ApiProperty() @Matches(/^[0-9a-f]{64}$/, { message: '$property must be 64 lower-case hex digits' }) hash!: string;
  @ApiProperty() @IsISO8601({ strict: true }) signedAt!: string;
  @ApiProperty() @Matches(/^[0-9a-f]{64}$/, { message: '$property must be 64 lower-case hex digits' }) keyId!: string;
  @ApiProperty() @IsString() publicKey!: string;
  @ApiProperty() @IsString() signature!: string;
}

export class VerificationRequest extends VerificationRangeQuery {
  @ApiPropertyOptional({ type: CheckpointDto, description: 'A checkpoint kept earlier: the chain must still reach it, unchanged' })
  @IsOptional()
  @ValidateNested()
  @Type(() => CheckpointDto)
  checkpoint?: CheckpointDto;
}

export class CheckpointPageQuery {
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) offset = 0;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit = 50;
}

/**
 * The auditor's proof that the trail is whole: verification of the chain
 * (optionally against a checkpoint they kept), and the signed checkpoints.
 */
@ApiTags('audit')
@Controller('api/audit')
@Allow(...Roles.auditTrail)
export class AuditVerificationController {
  constructor(
    private readonly verifier: AuditVerifier,
    private readonly checkpoints: Checkpoints,
    private readonly audit: AuditTrail,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @Get('verification')
  @ApiOkResponse({ description: '{ intact: true, to } or { intact: false, firstBroken: { sequence, kind, expected, found, message } }' })
  async verifyRange(@Query() range: VerificationRangeQuery, @CurrentStaff() staff: StaffMember): Promise<VerificationResult> {
    return this.verify(range, undefined, staff);
  }

  @Post('verification')
  @HttpCode(200)
  @ApiOkResponse({ description: 'As GET, and the chain must still reach the checkpoint given, with the same hash' })
  async verifyAgainstCheckpoint(@Body() request: VerificationRequest, @CurrentStaff() staff: StaffMember): Promise<VerificationResult> {
    const checkpoint = request.checkpoint;
    if (checkpoint && !checkpointSignatureIsValid(checkpoint, this.checkpoints.publicKeyPem())) {
      throw new BadRequestException('The checkpoint was not signed by this hub’s audit key, or was altered after signing');
    }
    return this.verify(request, checkpoint, staff);
  }

  @Post('checkpoints')
  @HttpCode(201)
  @ApiOkResponse({ description: 'A signed checkpoint of the chain head now; keep a copy' })
  async checkpoint(@CurrentStaff() staff: StaffMember): Promise<SignedCheckpoint> {
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

  @Get('checkpoints')
  @ApiOkResponse({ description: 'Signed checkpoints, newest first, to export and keep' })
  listCheckpoints(@Query() page: CheckpointPageQuery) {
    return this.checkpoints.list(page);
  }

  @Get('signing-key')
  @ApiOkResponse({ description: 'The public key that checks this hub’s checkpoints (SPKI PEM) and its id' })
  signingKey() {
    return { keyId: this.checkpoints.signer.keyId, publicKey: this.checkpoints.publicKeyPem() };
  }

  private async verify(range: VerificationRangeQuery, checkpoint: CheckpointDto | undefined, staff: StaffMember) {
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
}
