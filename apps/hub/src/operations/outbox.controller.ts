import { Controller, Get, HttpCode, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CanonicalUuidPipe } from '#platform';
import { ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { CurrentStaff } from '../access/access.guard.js';
import { Allow, Roles } from '../access/access-policy.js';
import { staffActor } from '../access/staff-actor.js';
import type { StaffMember } from '../access/staff.js';
import { AuditTrail } from '../audit/audit-trail.js';
import { Outbox } from '../outbox/outbox.js';
import { ParkedOutbox, type ParkedMessage } from '../outbox/parked-outbox.js';
import { DeadLetterQuery } from './dead-letters.controller.js';

class ParkedMessageEntry {
  @ApiProperty() id!: string;
  @ApiProperty() queue!: string;
  @ApiProperty() pattern!: string;
  @ApiProperty({ nullable: true, type: String }) correlationId!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() publishAttempts!: number;
  @ApiProperty({ nullable: true, type: String, description: 'Why the last publish failed' }) lastError!: string | null;
  @ApiProperty() parkedAt!: string;
}

class ParkedMessagePage {
  @ApiProperty({ type: [ParkedMessageEntry] }) items!: ParkedMessage[];
  @ApiProperty() total!: number;
}

/**
 * Outbox messages the relay could not publish after OUTBOX_MAX_ATTEMPTS tries.
 * An operator reads why, fixes the cause and retries; the receiver is
 * idempotent by message id.
 */
@ApiTags('operations')
@Controller('api/admin/outbox')
@Allow(...Roles.operations)
export class OutboxController {
  constructor(
    private readonly parked: ParkedOutbox,
    private readonly outbox: Outbox,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
  ) {}

  @Get('parked')
  @ApiOkResponse({ type: ParkedMessagePage })
  async list(@Query() page: DeadLetterQuery, @CurrentStaff() staff: StaffMember) {
    const result = await this.parked.list(page);
    await this.dataSource.transaction((manager) =>
      this.audit.record(manager, {
        actor: staffActor(staff),
        action: 'outbox.parked_listed',
        purpose: 'operations',
        details: { offset: page.offset, limit: page.limit, messageIds: result.items.map((item) => item.id) },
      }),
    );
    return result;
  }

  @Post('parked/:id/retry')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Due again at once, with its attempts reset' })
  @ApiNotFoundResponse({ description: 'No parked outbox message has this id' })
  async retry(@Param('id', CanonicalUuidPipe) id: string, @CurrentStaff() staff: StaffMember): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      if (!(await this.parked.retry(id, manager))) throw new NotFoundException(`no parked outbox message ${id}`);
      await this.audit.record(manager, {
        actor: staffActor(staff),
        action: 'outbox.retried',
        purpose: 'operations',
        details: { messageId: id },
      });
    });
    this.outbox.notifyCommitted();
  }
}
