import { Controller, Get, NotFoundException, Param, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentStaff } from '../../access/access.guard.js';
import { Allow, Roles } from '../../access/access-policy.js';
import type { StaffMember } from '../../access/staff.js';
import { sendAuditExport } from './audit-export.js';
import { EXPORT_ENCODINGS } from './audit-export-formats.js';
import { AuditorQueries } from './auditor-queries.js';
import { AuditEventPage, ChildAccess, ChildParams, ExportAuditEventsQuery, SearchAuditEventsQuery } from './auditor.dto.js';

/**
 * The audit trail for the data protection officer, the Caldicott guardian and
 * inspectors: who shared what about a child, with whom, on what basis, and who
 * looked at it. Events come oldest first (chain order) in search and export alike.
 */
@ApiTags('audit')
@ApiUnauthorizedResponse({ description: 'No staff identity' })
@ApiForbiddenResponse({ description: 'Not an auditor' })
@Controller('api/audit')
export class AuditorController {
  constructor(private readonly queries: AuditorQueries) {}

  @Get('events')
  @Allow(...Roles.auditTrail)
  @ApiOkResponse({ type: AuditEventPage, description: 'Matching events, oldest first (sequence ascending)' })
  @ApiBadRequestResponse({ description: 'Every invalid filter, with its path' })
  search(@Query() query: SearchAuditEventsQuery, @CurrentStaff() staff: StaffMember): Promise<AuditEventPage> {
    return this.queries.search(query, staff);
  }

  /**
   * Streamed in keyset batches, oldest first, as they are read. CSV: RFC 4180
   * with a header row, details as JSON in one column, null as an empty field
   * and the empty string as "", and a leading apostrophe on any field that
   * starts with = + - @ ' (a tab or a CR): strip one leading apostrophe from
   * every field before checking hashes. NDJSON: the search's items, exactly.
   */
  @Get('events/export')
  @Allow(...Roles.auditTrail)
  @ApiProduces(EXPORT_ENCODINGS.csv.contentType, EXPORT_ENCODINGS.ndjson.contentType)
  @ApiOkResponse({
    description:
      'The matching events recorded before this export, oldest first, as an attachment. CSV fields starting with = + - @ or an apostrophe carry one extra leading apostrophe (a spreadsheet formula guard): remove it to verify hashes, or use NDJSON, which is exact.',
    content: {
      [EXPORT_ENCODINGS.csv.contentType]: { schema: { type: 'string' } },
      [EXPORT_ENCODINGS.ndjson.contentType]: { schema: { type: 'string' } },
    },
  })
  @ApiBadRequestResponse({ description: 'Every invalid filter, with its path' })
  export(@Query() query: ExportAuditEventsQuery, @CurrentStaff() staff: StaffMember, @Res() response: Response): Promise<void> {
    const { format, ...filters } = query;
    return sendAuditExport(this.queries, filters, format, staff, response);
  }

  @Get('children/:childId/access')
  @Allow(...Roles.auditTrail)
  @ApiOkResponse({ type: ChildAccess, description: 'Who has seen and shared this child’s record' })
  @ApiBadRequestResponse({ description: 'The child id is not a uuid' })
  @ApiNotFoundResponse({ description: 'No event concerns this child' })
  async childAccess(@Param() { childId }: ChildParams, @CurrentStaff() staff: StaffMember): Promise<ChildAccess> {
    const access = await this.queries.childAccess(childId, staff);
    if (!access) throw new NotFoundException(`No audit event concerns child ${childId}`);
    return access;
  }
}
