import { Logger } from '@nestjs/common';
import type { Response } from 'express';
import type { StaffMember } from '../../access/staff.js';
import { EXPORT_ENCODINGS, exportFileName } from './audit-export-formats.js';
import type { AuditorQueries, NarrowedFilters } from './auditor-queries.js';
import type { ExportFormat } from './auditor.dto.js';

const logger = new Logger('AuditExport');

/**
 * Streams an export of the matching events as an attachment: recorded before the first row
 * leaves, read in keyset batches, oldest first, at the pace the client reads. The API and the
 * staff pages both export through this.
 */
export async function sendAuditExport(queries: AuditorQueries, filters: NarrowedFilters, format: ExportFormat, staff: StaffMember, response: Response): Promise<void> {
  const exportSequence = await queries.recordExport(filters, format, staff);
  const encoding = EXPORT_ENCODINGS[format];
  response.status(200);
  response.setHeader('Content-Type', encoding.contentType);
  response.setHeader('Content-Disposition', `attachment; filename="${exportFileName(format)}"`);
  response.setHeader('Cache-Control', 'no-store');

  const sink = new ResponseSink(response);
  let rows = 0;
  const stopped = () => logger.log(`audit export ${exportSequence} stopped: the client disconnected after ${rows} events`);
  try {
    if (encoding.header && !(await sink.write(encoding.header))) return stopped();
    for await (const batch of queries.exportBatches(filters, exportSequence)) {
      // Leaving the loop ends the batch generator: no further rows are read.
      if (!(await sink.write(batch.map(encoding.line).join('')))) return stopped();
      rows += batch.length;
    }
    response.end();
    logger.log(`audit export ${exportSequence} finished: ${rows} events, ${format}`);
  } catch (error) {
    logger.error(`audit export ${exportSequence} failed after ${rows} events: ${(error as Error).message}`);
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
