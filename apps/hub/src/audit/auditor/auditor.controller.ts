import { Controller, Get, Logger, NotFoundException, Param, Query, Res } from '@nestjs/common';
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
import { EXPORT_ENCODINGS, exportFileName } from './audit-export-formats.js';
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
  private readonly logger = new Logger(AuditorController.name);

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
  async export(
    @Query() query: ExportAuditEventsQuery,
    @CurrentStaff() staff: StaffMember,
    @Res() response: Response,
  ): Promise<void> {
    const { format, ...filters } = query;
    const exportSequence = await this.queries.recordExport(filters, format, staff);
    const encoding = EXPORT_ENCODINGS[format];
    response.status(200);
    response.setHeader('Content-Type', encoding.contentType);
    response.setHeader('Content-Disposition', `attachment; filename="${exportFileName(format)}"`);
    response.setHeader('Cache-Control', 'no-store');

    const sink = new ResponseSink(response);
    let rows = 0;
    try {
      if (encoding.header && !(await sink.write(encoding.header))) return this.stopped(exportSequence, rows);
      for await (const batch of this.queries.exportBatches(filters, exportSequence)) {
        // Leaving the loop ends the batch generator: no further rows are read.
        if (!(await sink.write(batch.map(encoding.line).join('')))) return this.stopped(exportSequence, rows);
        rows += batch.length;
      }
      response.end();
      this.logger.log(`audit export ${exportSequence} finished: ${rows} events, ${format}`);
    } catch (error) {
      this.logger.error(`audit export ${exportSequence} failed after ${rows} events: ${(error as Error).message}`);
      if (!response.headersSent) {
        // Nothing sent yet: an ordinary error response, not an attachment.
        response.removeHeader('Content-Disposition');
        throw error;
      }
      // The status line has gone: breaking the connection is the only way left to say
      // the file is incomplete, rather than ending it so it looks whole.
      response.destroy(error as Error);
    }
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

  private stopped(exportSequence: string, rows: number): void {
    this.logger.log(`audit export ${exportSequence} stopped: the client disconnected after ${rows} events`);
  }
}

/** Writes to a response at the pace the client reads; says when the client has gone. */
class ResponseSink {
  private gone = false;

  constructor(private readonly response: Response) {
    response.on('close', () => {
      if (!response.writableFinished) this.gone = true;
    });
  }

  /** Resolves true once the chunk is accepted (after 'drain' if the buffer was full), false if the client has gone. */
  async write(chunk: string): Promise<boolean> {
    // The client may have gone before the first write, while the export was being recorded.
    if (this.gone || this.response.destroyed || this.response.socket?.destroyed) return false;
    if (!this.response.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.response.off('drain', done);
          this.response.off('close', done);
          resolve();
        };
        this.response.on('drain', done);
        this.response.on('close', done);
      });
    }
    return !this.gone;
  }
}
