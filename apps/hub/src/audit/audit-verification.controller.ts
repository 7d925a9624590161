import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsString, Matches, Max, Min, ValidateNested } from 'class-validator';
import type { SignedCheckpoint, VerificationResult } from '#audit';
import { CurrentStaff } from '../access/access.guard.js';
import { Allow, Roles } from '../access/access-policy.js';
import type { StaffMember } from '../access/staff.js';
import { AuditVerification } from './audit-verification.js';

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
  constructor(private readonly verification: AuditVerification) {}

  @Get('verification')
  @ApiOkResponse({ description: '{ intact: true, to } or { intact: false, firstBroken: { sequence, kind, expected, found, message } }' })
  verifyRange(@Query() range: VerificationRangeQuery, @CurrentStaff() staff: StaffMember): Promise<VerificationResult> {
    return this.verification.verify(range, undefined, staff);
  }

  @Post('verification')
  @HttpCode(200)
  @ApiOkResponse({ description: 'As GET, and the chain must still reach the checkpoint given, with the same hash' })
  verifyAgainstCheckpoint(@Body() request: VerificationRequest, @CurrentStaff() staff: StaffMember): Promise<VerificationResult> {
    return this.verification.verify(request, request.checkpoint, staff);
  }

  @Post('checkpoints')
  @HttpCode(201)
  @ApiOkResponse({ description: 'A signed checkpoint of the chain head now; keep a copy' })
  checkpoint(@CurrentStaff() staff: StaffMember): Promise<SignedCheckpoint> {
    return this.verification.checkpoint(staff);
  }

  @Get('checkpoints')
  @ApiOkResponse({ description: 'Signed checkpoints, newest first, to export and keep' })
  listCheckpoints(@Query() page: CheckpointPageQuery) {
    return this.verification.checkpoints.list(page);
  }

  @Get('signing-key')
  @ApiOkResponse({ description: 'The public key that checks this hub’s checkpoints (SPKI PEM) and its id' })
  signingKey() {
    return { keyId: this.verification.checkpoints.signer.keyId, publicKey: this.verification.checkpoints.publicKeyPem() };
  }
}
