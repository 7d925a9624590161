import { BadRequestException, Controller, Get, HttpCode, NotFoundException, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProperty,
  ApiPropertyOptional,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { INBOX_PAGE_MAX, ToCanonicalUuid } from '#contracts';
import { CanonicalUuidPipe } from '#platform';
import { InboxDelivery } from './inbox-delivery.js';
import { UnknownInboxCursorError, inboxItem } from './inbox.js';
import { CurrentPartnerSystem, PartnerRoute, type PartnerSystem } from './partner-access.js';

export const INBOX_PAGE_DEFAULT = 50;

export class InboxQuery {
  @ApiPropertyOptional({ format: 'uuid', description: "Where the page starts: the previous page's `next`. Omit for the oldest message." })
  @IsOptional()
  @ToCanonicalUuid()
  @IsUUID('loose', { message: "after must be the previous page's next (a message id)" })
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: INBOX_PAGE_MAX, default: INBOX_PAGE_DEFAULT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(INBOX_PAGE_MAX)
  limit = INBOX_PAGE_DEFAULT;
}

export class InboxItem {
  @ApiProperty({ format: 'uuid', description: 'The message id: acknowledge it with POST /inbox/{messageId}/acknowledge' })
  messageId!: string;
  @ApiProperty({ example: 'notification.accepted', description: 'What the message is; the body follows from it' })
  kind!: string;
  @ApiProperty({ format: 'uuid', description: 'The correlation id of the notice the message is about' })
  correlationId!: string;
  @ApiProperty({ format: 'date-time', description: 'When the hub sent it' })
  createdAt!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The message itself. For notification.accepted: notificationId, correlationId, sourceAgency, sourceOrganisation, partnerReference, contactIds, acceptedAt',
  })
  body!: Record<string, unknown>;
}

export class InboxPageView {
  @ApiProperty({ type: [InboxItem], description: 'Messages not yet acknowledged, oldest first' })
  items!: InboxItem[];
  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: 'Pass as `after` for the next page; null on the last page' })
  next!: string | null;
}

export class InboxAcknowledgement {
  @ApiProperty({ format: 'uuid' }) messageId!: string;
  @ApiProperty({ format: 'date-time', description: 'When it was first acknowledged: the same however often it is acknowledged' })
  acknowledgedAt!: string;
}

/**
 * Each organisation's inbox: what the hub sends back to it. A system sees and
 * acknowledges only its own organisation's messages; another organisation's is
 * not found, exactly like an unknown id. The first listing of each message and
 * its acknowledgement are reported to the hub's audit trail before the answer.
 */
@ApiTags('inbox')
@Controller('inbox')
export class InboxController {
  constructor(private readonly delivery: InboxDelivery) {}

  @Get()
  @PartnerRoute()
  @ApiOperation({ summary: "The caller's organisation's messages not yet acknowledged, oldest first, a page at a time" })
  @ApiOkResponse({ type: InboxPageView })
  @ApiBadRequestResponse({ description: 'A malformed or unknown `after`, or a `limit` outside 1 to 200, with every invalid field' })
  @ApiServiceUnavailableResponse({ description: 'The MASH message store is not answering; ask again later' })
  async list(@Query() query: InboxQuery, @CurrentPartnerSystem() partner: PartnerSystem): Promise<InboxPageView> {
    let page;
    try {
      page = await this.delivery.list(partner, { after: query.after, limit: query.limit });
    } catch (error) {
      if (error instanceof UnknownInboxCursorError) throw new BadRequestException(error.message);
      throw error;
    }
    return { items: page.items.map(inboxItem), next: page.next };
  }

  @Post(':messageId/acknowledge')
  @PartnerRoute()
  @HttpCode(200)
  @ApiOperation({ summary: 'Acknowledge a message: it leaves the inbox. Acknowledging it again gives the same answer and records nothing more' })
  @ApiParam({ name: 'messageId', format: 'uuid' })
  @ApiOkResponse({ type: InboxAcknowledgement })
  @ApiBadRequestResponse({ description: 'The message id is not a UUID' })
  @ApiNotFoundResponse({ description: "No such message in the caller's organisation's inbox (another organisation's is not shown)" })
  @ApiServiceUnavailableResponse({ description: 'The MASH message store is not answering; acknowledge it again later' })
  async acknowledge(
    @Param('messageId', CanonicalUuidPipe) messageId: string,
    @CurrentPartnerSystem() partner: PartnerSystem,
  ): Promise<InboxAcknowledgement> {
    const acknowledged = await this.delivery.acknowledge(partner, messageId);
    if (!acknowledged) throw new NotFoundException(`No message with id ${messageId} in your inbox`);
    return { messageId, acknowledgedAt: acknowledged.acknowledgedAt };
  }
}
