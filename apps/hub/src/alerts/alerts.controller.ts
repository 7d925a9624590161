import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CanonicalUuidPipe } from '#platform';
import { CurrentStaff } from '../access/access.guard.js';
import { Allow, Roles } from '../access/access-policy.js';
import type { StaffMember } from '../access/staff.js';
import { AlertDesk } from './alert-desk.js';
import { AlertPage, AlertView, ListAlertsQuery } from './alert.dto.js';

@ApiTags('alerts')
@Controller('api/alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertDesk) {}

  @Get()
  @Allow(...Roles.mashRecords)
  @ApiOkResponse({ type: AlertPage, description: "Open alerts, newest first: a screener's alerts for screeners; both audiences for the manager" })
  @ApiForbiddenResponse({ description: "A screener asked for the manager's alerts" })
  list(@Query() query: ListAlertsQuery, @CurrentStaff() staff: StaffMember): Promise<AlertPage> {
    return this.alerts.list(query, staff);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @Allow(...Roles.mashRecords)
  @ApiOkResponse({ type: AlertView, description: 'The alert, resolved' })
  @ApiNotFoundResponse({ description: 'No alert with that id' })
  @ApiForbiddenResponse({ description: "A screener tried to resolve the manager's alert" })
  @ApiConflictResponse({ description: 'Already resolved' })
  resolve(@Param('id', CanonicalUuidPipe) id: string, @CurrentStaff() staff: StaffMember): Promise<AlertView> {
    return this.alerts.resolve(id, staff);
  }
}
