import { Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { AGENCIES, HUB_INTAKE_QUEUE, agencyQueue } from '#contracts';
import { DeadLetterNotFoundError, DeadLetterStore, type DeadLetter } from '#queue-transport';

/** Every queue whose failed messages an operator may inspect and replay. */
export const OBSERVED_QUEUES = [HUB_INTAKE_QUEUE, ...AGENCIES.map(agencyQueue)];

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
  @IsString()
  @Length(1, 200)
  id!: string;
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
export class DeadLettersController {
  constructor(@Inject(DeadLetterStore) private readonly deadLetters: DeadLetterStore) {}

  @Get(':queue')
  @ApiOkResponse({ type: DeadLetterPage })
  list(@Param() { queue }: QueueParam, @Query() page: DeadLetterQuery) {
    return this.deadLetters.list(queue, page);
  }

  @Post(':queue/:id/replay')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Back in the queue with its attempts reset' })
  @ApiNotFoundResponse()
  async replay(@Param() { queue, id }: DeadLetterParams): Promise<void> {
    try {
      await this.deadLetters.replay(queue, id);
    } catch (error) {
      if (error instanceof DeadLetterNotFoundError) throw new NotFoundException(error.message);
      throw error;
    }
  }
}
