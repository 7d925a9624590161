import { BadRequestException, Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { londonInstant, nextDate } from '#calendar';
import { CurrentStaff } from '../access/access.guard.js';
import { Allow, Roles } from '../access/access-policy.js';
import type { StaffMember } from '../access/staff.js';
import { Timeliness } from './timeliness.js';
import { TimelinessQuery, TimelinessReport } from './timeliness.dto.js';

@ApiTags('screening')
@Controller('api/timeliness')
export class TimelinessController {
  constructor(private readonly timeliness: Timeliness) {}

  @Get()
  @Allow(...Roles.timeliness)
  @ApiOkResponse({ type: TimelinessReport, description: 'Decisions in the period (days on the clock in England) against their RAG deadlines' })
  report(@Query() query: TimelinessQuery, @CurrentStaff() staff: StaffMember): Promise<TimelinessReport> {
    if (query.from > query.to) {
      throw new BadRequestException({ message: 'Validation failed', errors: [{ path: 'to', message: 'to must be the same day as from or later' }] });
    }
    return this.timeliness.report(londonInstant(query.from, 0), londonInstant(nextDate(query.to), 0), staff);
  }
}
