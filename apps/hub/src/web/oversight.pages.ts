import { Controller, Get, Inject, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { Response } from 'express';
import { DeadLetterStore } from '#queue-transport';
import { Roles } from '../access/access-policy.js';
import type { StaffMember } from '../access/staff.js';
import { AUDIT_ACTIONS } from '../audit/audit-trail.js';
import { AuditorQueries } from '../audit/auditor/auditor-queries.js';
import { SearchAuditEventsQuery } from '../audit/auditor/auditor.dto.js';
import { OBSERVED_QUEUES } from '../operations/dead-letters.controller.js';
import { Page, PageGuard, SignedInStaff, type WebRequest } from './page-policy.js';
import { PageErrorsFilter } from './page-errors.filter.js';
import { Views } from './views.js';

/** The auditors' and admins' start pages: the audit log, and operations. */
@ApiExcludeController()
@Controller()
@UseGuards(PageGuard)
@UseFilters(PageErrorsFilter)
export class OversightPages {
  constructor(
    private readonly auditor: AuditorQueries,
    @Inject(DeadLetterStore) private readonly deadLetters: DeadLetterStore,
    private readonly views: Views,
  ) {}

  @Get('audit')
  @Page(...Roles.auditTrail)
  async auditLog(@Req() request: WebRequest, @Res() response: Response, @Query() raw: Record<string, unknown>, @SignedInStaff() staff: StaffMember): Promise<void> {
    const query = plainToInstance(SearchAuditEventsQuery, { action: raw.action || undefined, page: raw.page ?? 1, pageSize: 50 });
    const problems = await validate(query, { whitelist: true });
    const fieldErrors: Record<string, string> = {};
    for (const problem of problems) fieldErrors[problem.property === 'page' ? 'action' : problem.property] = 'Choose what was done from the list';
    const found = problems.length ? { items: [], total: 0, page: 1, pageSize: 50 } : await this.auditor.search(query, staff);
    const link = (page: number) => `/audit?${new URLSearchParams({ ...(query.action && { action: query.action }), page: String(page) }).toString()}`;
    this.views.render(
      request,
      response,
      'audit.njk',
      {
        title: 'Audit log',
        events: found.items,
        total: found.total,
        previousHref: found.page > 1 ? link(found.page - 1) : null,
        nextHref: found.page * found.pageSize < found.total ? link(found.page + 1) : null,
        actionOptions: [{ value: '', text: 'Anything' }, ...AUDIT_ACTIONS.map((action) => ({ value: action, text: action, selected: action === raw.action }))],
        errors: problems.length ? [{ text: 'Choose what was done from the list', href: '#action' }] : undefined,
        fieldErrors,
      },
      problems.length ? 400 : 200,
    );
  }

  @Get('admin')
  @Page(...Roles.operations)
  async operations(@Req() request: WebRequest, @Res() response: Response): Promise<void> {
    // Counts only: no message content, so nothing here is personal data.
    const queues = await Promise.all(OBSERVED_QUEUES.map(async (name) => ({ name, total: (await this.deadLetters.list(name, { offset: 0, limit: 1 })).total })));
    this.views.render(request, response, 'admin.njk', { title: 'Operations', queues });
  }
}
