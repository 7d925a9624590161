import { BadRequestException, Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { AGENCIES, HUB_INTAKE_QUEUES, ToCanonicalUuid, agencyQueue, inboxPushQueue } from '#contracts';
import { BULK_REPLAY_LIMIT, DeadLetterNotFoundError, DeadLetterStore, type DeadLetter } from '#queue-transport';
import { CurrentStaff } from '../access/access.guard.js';
import { Allow, Roles } from '../access/access-policy.js';
import { staffActor } from '../access/staff-actor.js';
import type { StaffMember } from '../access/staff.js';
import { AuditTrail } from '../audit/audit-trail.js';

/** Every queue whose failed messages an operator may inspect and replay (an inbox push replayed is tried again, if not yet acknowledged). */
export const OBSERVED_QUEUES = [...HUB_INTAKE_QUEUES, ...AGENCIES.map(agencyQueue), ...AGENCIES.map(inboxPushQueue)];

export class DeadLetterQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset = 0;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit = 25;
}

class QueueParam {
  @ApiProperty({ enum: OBSERVED_QUEUES })
  @IsIn(OBSERVED_QUEUES)
  queue!: string;
}

class DeadLetterParams extends QueueParam {
  @ApiProperty({ description: 'The message id (its job id)' })
  // Message ids are UUIDs kept in lower case: one given in upper case names the same message.
  @ToCanonicalUuid()
  @IsString()
  @Length(1, 200)
  id!: string;
}

export class BulkReplayRequest {
  @ApiProperty({ required: false, description: 'Only dead letters that failed at or after this time (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  failedFrom?: string;

  @ApiProperty({ required: false, description: 'Only dead letters that failed at or before this time (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  failedTo?: string;
}

class BulkReplayResult {
  @ApiProperty({ description: 'How many were put back in the queue' }) replayed!: number;
  @ApiProperty({ type: [String] }) ids!: string[];
  @ApiProperty({ description: `True when more matched than one call replays (${BULK_REPLAY_LIMIT}): call again` }) more!: boolean;
}

class DeadLetterEntry {
  @ApiProperty() queue!: string;
  @ApiProperty() id!: string;
  @ApiProperty() pattern!: string;
  @ApiProperty({ description: 'Why the last attempt failed' }) reason!: string;
  @ApiProperty({ description: 'True when the message can never succeed as it is (e.g. invalid)' }) permanent!: boolean;
  @ApiProperty() attemptsMade!: number;
  @ApiProperty({ nullable: true, type: String }) firstAttemptAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) failedAt!: string | null;
  @ApiProperty({ type: Object }) payload!: unknown;
}

class DeadLetterPage {
  @ApiProperty({ type: [DeadLetterEntry] }) items!: DeadLetter[];
  @ApiProperty() total!: number;
}

/**
 * Messages that used up their attempts. Nothing is dropped: an operator reads
 * why, fixes the cause and replays; the receiver is idempotent by message id.
 */
@ApiTags('operations')
@Controller('api/admin/dead-letters')
@Allow(...Roles.operations)
export class DeadLettersController {
  constructor(
    @Inject(DeadLetterStore) private readonly deadLetters: DeadLetterStore,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
  ) {}

  /** Dead letters hold whole messages, personal data included: listing them is audited. */
  @Get(':queue')
  @ApiOkResponse({ type: DeadLetterPage })
  async list(@Param() { queue }: QueueParam, @Query() page: DeadLetterQuery, @CurrentStaff() staff: StaffMember) {
    const result = await this.deadLetters.list(queue, page);
    await this.dataSource.transaction((manager) =>
      this.audit.record(manager, {
        actor: staffActor(staff),
        action: 'dead_letters.listed',
        purpose: 'operations',
        details: { queue, offset: page.offset, limit: page.limit, messageIds: result.items.map((item) => item.id) },
      }),
    );
    return result;
  }

  /** After an outage is fixed: every dead letter of a queue, or those that failed in a time range, back in the queue. */
  @Post(':queue/replay')
  @HttpCode(200)
  @ApiOkResponse({ type: BulkReplayResult })
  async replayMany(@Param() { queue }: QueueParam, @Body() range: BulkReplayRequest, @CurrentStaff() staff: StaffMember) {
    const failedFrom = range.failedFrom ? new Date(range.failedFrom) : undefined;
    const failedTo = range.failedTo ? new Date(range.failedTo) : undefined;
    if (failedFrom && failedTo && failedFrom > failedTo) throw new BadRequestException('failedFrom must not be after failedTo');
    const { replayed, more } = await this.deadLetters.replayMany(queue, { failedFrom, failedTo });
    await this.dataSource.transaction((manager) =>
      this.audit.record(manager, {
        actor: staffActor(staff),
        action: 'dead_letters.replayed',
        purpose: 'operations',
        details: { queue, failedFrom: range.failedFrom ?? null, failedTo: range.failedTo ?? null, count: replayed.length, messageIds: replayed, more },
      }),
    );
    return { replayed: replayed.length, ids: replayed, more };
  }

  @Post(':queue/:id/replay')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Back in the queue with its attempts reset' })
  @ApiNotFoundResponse()
  async replay(@Param() { queue, id }: DeadLetterParams, @CurrentStaff() staff: StaffMember): Promise<void> {
    try {
      await this.deadLetters.replay(queue, id);
    } catch (error) {
      if (error instanceof DeadLetterNotFoundError) throw new NotFoundException(error.message);
      throw error;
    }
    await this.dataSource.transaction((manager) =>
      this.audit.record(manager, {
        actor: staffActor(staff),
        action: 'dead_letter.replayed',
        purpose: 'operations',
        details: { queue, messageId: id },
      }),
    );
  }
}
