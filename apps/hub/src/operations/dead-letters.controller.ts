import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { ToCanonicalUuid } from '#contracts';
import { BULK_REPLAY_LIMIT, type DeadLetter } from '#queue-transport';
import { CurrentStaff } from '../access/access.guard.js';
import { Allow, Roles } from '../access/access-policy.js';
import type { StaffMember } from '../access/staff.js';
import { DeadLetterDesk, OBSERVED_QUEUES } from './dead-letter-desk.js';

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

/** Messages that used up their attempts: listed, and replayed one at a time or in bulk (DeadLetterDesk). */
@ApiTags('operations')
@Controller('api/admin/dead-letters')
@Allow(...Roles.operations)
export class DeadLettersController {
  constructor(private readonly desk: DeadLetterDesk) {}

  /** Dead letters hold whole messages, personal data included: listing them is audited. */
  @Get(':queue')
  @ApiOkResponse({ type: DeadLetterPage })
  list(@Param() { queue }: QueueParam, @Query() page: DeadLetterQuery, @CurrentStaff() staff: StaffMember) {
    return this.desk.list(queue, page, staff);
  }

  /** After an outage is fixed: every dead letter of a queue, or those that failed in a time range, back in the queue. */
  @Post(':queue/replay')
  @HttpCode(200)
  @ApiOkResponse({ type: BulkReplayResult })
  replayMany(@Param() { queue }: QueueParam, @Body() range: BulkReplayRequest, @CurrentStaff() staff: StaffMember) {
    return this.desk.replayMany(queue, range, staff);
  }

  @Post(':queue/:id/replay')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Back in the queue with its attempts reset' })
  @ApiNotFoundResponse()
  replay(@Param() { queue, id }: DeadLetterParams, @CurrentStaff() staff: StaffMember): Promise<void> {
    return this.desk.replay(queue, id, staff);
  }
}
