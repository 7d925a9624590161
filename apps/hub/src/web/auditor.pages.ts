import { BadRequestException, Body, Controller, Get, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { Response } from 'express';
import type { SignedCheckpoint, VerificationResult } from '#audit';
import { londonInstant, nextDate } from '#calendar';
import { CanonicalUuidPipe } from '#platform';
import { Roles } from '../access/access-policy.js';
import type { StaffMember } from '../access/staff.js';
import { AUDIT_ACTIONS, type AuditAction } from '../audit/audit-trail.js';
import { AuditVerification } from '../audit/audit-verification.js';
import { CheckpointDto } from '../audit/audit-verification.controller.js';
import { sendAuditExport } from '../audit/auditor/audit-export.js';
import { AuditorQueries, RECENT_EVENTS, SHARE_DECISION_ACTIONS, type NarrowedFilters } from '../audit/auditor/auditor-queries.js';
import { EXPORT_FORMATS, SearchAuditEventsQuery, type AuditEventView, type ChildAccess, type ExportFormat } from '../audit/auditor/auditor.dto.js';
import { VerificationRangeForm, readForm, readWhen, type FormErrors, type WhenInput } from './forms.js';
import { Page, PageGuard, SignedInStaff, type WebRequest } from './page-policy.js';
import { PageErrorsFilter } from './page-errors.filter.js';
import { PageFlash } from './page-flash.js';
import { Views } from './views.js';
import { words } from './words.js';

const PAGE_SIZE = 50;
const CHECKPOINTS_SHOWN = 10;

/** The two views of the trail: every event, or only the share decisions (the sharing log). */
type LogView = 'events' | 'shares';
const LOG_PATHS: Record<LogView, string> = { events: '/audit', shares: '/audit/shares' };
const DECISIONS: Record<string, readonly AuditAction[]> = { allowed: ['information.shared'], refused: ['information.refused'] };

/** The search's fields as they travel in the address, for paging and export links. */
const SEARCH_PARAMS = ['childId', 'actor', 'action', 'decision', 'from-day', 'from-month', 'from-year', 'to-day', 'to-month', 'to-year'];

/** The API's filter names, as the page's fields and words. */
const FILTER_FIELDS: Record<string, { href: string; message: string }> = {
  childId: { href: '#childId', message: 'Enter the child’s id in full, as their records show it: 32 letters and digits in five groups, like 0b5f3c3e-1d2a-4c4b-9e55-2f3a4b5c6d7e' },
  actor: { href: '#actor', message: 'Enter who acted in at most 500 characters' },
  action: { href: '#action', message: 'Choose what was done from the list' },
  decision: { href: '#decision', message: 'Choose allowed, refused or either' },
  from: { href: '#from-day', message: 'Enter a real date for ‘from’' },
  to: { href: '#to-day', message: 'The ‘to’ date must be the same as or after the ‘from’ date' },
};

interface LogSearch {
  filters: NarrowedFilters;
  page: number;
  values: { childId: string; actor: string; action: string; decision: string; from: WhenInput['values']; to: WhenInput['values'] };
  errors: FormErrors | null;
  /** The search as a query string (without the page). */
  query: URLSearchParams;
}

/**
 * Reads the log's filters from the address and checks them with the API's own query class
 * (SearchAuditEventsQuery), so the pages refuse exactly what the API refuses. Dates are days
 * on a clock in England, both included.
 */
async function readLogSearch(raw: Record<string, unknown>, view: LogView): Promise<LogSearch> {
  const text = (name: string) => (typeof raw[name] === 'string' ? (raw[name] as string).trim() : '');
  const from = readWhen(raw, 'from', 'The ‘from’ date');
  const to = readWhen(raw, 'to', 'The ‘to’ date');
  const values = { childId: text('childId'), actor: text('actor'), action: view === 'events' ? text('action') : '', decision: view === 'shares' ? text('decision') : '', from: from.values, to: to.values };
  const query = new URLSearchParams(SEARCH_PARAMS.filter((name) => text(name)).map((name): [string, string] => [name, text(name)]));
  const page = /^\d{1,6}$/.test(text('page')) && Number(text('page')) >= 1 ? Number(text('page')) : 1;

  const filters = plainToInstance(SearchAuditEventsQuery, {
    childId: values.childId || undefined,
    actor: values.actor || undefined,
    action: values.action || undefined,
    from: from.instant ?? undefined,
    // The last day counts in full: up to the start of the next.
    to: to.date ? londonInstant(nextDate(to.date), 0).toISOString() : undefined,
  });
  const byField: Record<string, string> = {};
  if (from.problem) byField.from = from.problem;
  if (to.problem) byField.to = to.problem;
  else if (from.date && to.date && to.date < from.date) byField.to = FILTER_FIELDS.to.message;
  for (const problem of await validate(filters, { whitelist: true })) {
    if (FILTER_FIELDS[problem.property]) byField[problem.property] ??= FILTER_FIELDS[problem.property].message;
  }
  let actions: readonly AuditAction[] | undefined;
  if (view === 'shares') {
    if (values.decision && !DECISIONS[values.decision]) byField.decision = FILTER_FIELDS.decision.message;
    actions = DECISIONS[values.decision] ?? SHARE_DECISION_ACTIONS;
  }
  const list = Object.keys(FILTER_FIELDS)
    .filter((field) => byField[field])
    .map((field) => ({ text: byField[field], href: FILTER_FIELDS[field].href }));
  return { filters: { ...filters, ...(actions && { actions }) }, page, values, errors: list.length ? { list, byField } : null, query };
}

function who(event: AuditEventView): string {
  const name = event.details.actorName;
  return typeof name === 'string' ? name : event.actorId;
}


/** One event as the log lists it: when, who (for whom), what, the record and child, why. */
function eventRow(event: AuditEventView) {
  return {
    sequence: event.sequence,
    at: event.occurredAt,
    who: who(event),
    actorType: words(event.actorType),
    onBehalfOf: event.onBehalfOf,
    action: event.action,
    record: event.subjectType ? `${words(event.subjectType)} ${event.subjectId ?? ''}`.trim() : null,
    childId: event.childId,
    purpose: event.purpose,
    lawfulBasis: event.lawfulBasis,
  };
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);

/**
 * One share decision as the sharing log lists it, from its audit event: names of fields only,
 * never their values (the events hold none). The hub's acknowledgement to a sender names its
 * recipient as `recipient`; a decision made through the sharing rules as `recipientAgency`.
 */
function shareRow(event: AuditEventView) {
  const details = event.details;
  const allowed = event.action === 'information.shared';
  const reasons = Array.isArray(details.reasons) ? (details.reasons as { explanation?: unknown }[]).map((reason) => String(reason.explanation ?? '')) : [];
  return {
    ...eventRow(event),
    allowed,
    contactId: typeof details.contactId === 'string' ? details.contactId : null,
    recipientAgency: (details.recipientAgency ?? details.recipient ?? null) as string | null,
    recipientOrganisation: (details.recipientOrganisation ?? null) as string | null,
    reasons,
    policyVersion: (details.policyVersion ?? null) as string | null,
    fieldsShared: strings(details.fieldsShared),
    fieldsWithheld: strings(allowed ? details.fieldsWithheld : details.fieldsRequested),
  };
}

/** What kind of break verification found, in words. */
const BREAKS: Record<string, string> = {
  hash: 'An event was changed after it was written',
  previous_hash: 'An event was removed, inserted or moved',
  sequence: 'An event is missing',
  truncated: 'Events were cut off the end of the chain',
  checkpoint: 'The chain no longer matches the checkpoint: it was rewritten',
};

/** The auditor's pages: the audit log and the sharing log searched and exported, a child's access history, and verification. */
@ApiExcludeController()
@Controller('audit')
@UseGuards(PageGuard)
@UseFilters(PageErrorsFilter)
export class AuditorPages {
  constructor(
    private readonly auditor: AuditorQueries,
    private readonly verification: AuditVerification,
    private readonly flash: PageFlash,
    private readonly views: Views,
  ) {}

  @Get()
  @Page(...Roles.auditTrail)
  async auditLog(@Req() request: WebRequest, @Res() response: Response, @Query() raw: Record<string, unknown>, @SignedInStaff() staff: StaffMember): Promise<void> {
    await this.renderLog(request, response, await readLogSearch(raw, 'events'), 'events', staff);
  }

  @Get('shares')
  @Page(...Roles.auditTrail)
  async sharingLog(@Req() request: WebRequest, @Res() response: Response, @Query() raw: Record<string, unknown>, @SignedInStaff() staff: StaffMember): Promise<void> {
    await this.renderLog(request, response, await readLogSearch(raw, 'shares'), 'shares', staff);
  }

  @Get('export')
  @Page(...Roles.auditTrail)
  async exportLog(@Req() request: WebRequest, @Res() response: Response, @Query() raw: Record<string, unknown>, @SignedInStaff() staff: StaffMember): Promise<void> {
    await this.export(request, response, raw, 'events', staff);
  }

  @Get('shares/export')
  @Page(...Roles.auditTrail)
  async exportSharingLog(@Req() request: WebRequest, @Res() response: Response, @Query() raw: Record<string, unknown>, @SignedInStaff() staff: StaffMember): Promise<void> {
    await this.export(request, response, raw, 'shares', staff);
  }

  @Get('children/:id')
  @Page(...Roles.auditTrail)
  async child(@Req() request: WebRequest, @Res() response: Response, @Param('id', CanonicalUuidPipe) id: string, @SignedInStaff() staff: StaffMember): Promise<void> {
    const access: ChildAccess | null = await this.auditor.childAccess(id, staff);
    // The summary names actors by id; the events carry the name a person showed at the time.
    const names = new Map((access?.events ?? []).map((event) => [event.actorId, who(event)]));
    this.views.render(
      request,
      response,
      'audit-child.njk',
      {
        title: 'Who has seen and shared a child’s records',
        childId: id,
        found: !!access,
        actors: (access?.actors ?? []).map((actor) => ({ ...actor, name: names.get(actor.actorId) ?? actor.actorId, actorType: words(actor.actorType) })),
        // The view gives the most recent first; the page tells it in time order.
        events: (access?.events ?? []).map(eventRow).reverse(),
        limited: (access?.events.length ?? 0) >= RECENT_EVENTS,
        recentEvents: RECENT_EVENTS,
        searchHref: `/audit?${new URLSearchParams({ childId: id }).toString()}`,
      },
      access ? 200 : 404,
    );
  }

  @Get('verification')
  @Page(...Roles.auditTrail)
  async verificationForm(@Req() request: WebRequest, @Res() response: Response): Promise<void> {
    await this.renderVerification(request, response, { flash: await this.flash.take(request) });
  }

  @Post('verification')
  @Page(...Roles.auditTrail)
  async verify(@Req() request: WebRequest, @Res() response: Response, @Body() body: Record<string, unknown>, @SignedInStaff() staff: StaffMember): Promise<void> {
    // An empty field is "not given", not a number that is wrong.
    const given = Object.fromEntries(Object.entries(body ?? {}).filter(([, value]) => !(typeof value === 'string' && value.trim() === '')));
    const { form, errors } = await readForm(VerificationRangeForm, given);
    const values = { from: body?.from, to: body?.to, checkpoint: body?.checkpoint };
    const refuse = (field: string, text: string) =>
      this.renderVerification(request, response, { values, errors: { list: [{ text, href: `#${field}` }], byField: { [field]: text } } }, 400);
    if (errors) return this.renderVerification(request, response, { values, errors }, 400);
    if (form.from !== undefined && form.to !== undefined && form.to < form.from) return refuse('to', 'The last event’s number must be the same as or after the first’s');
    let checkpoint: SignedCheckpoint | undefined;
    if (form.checkpoint) {
      checkpoint = await readCheckpoint(form.checkpoint);
      if (!checkpoint) return refuse('checkpoint', 'Paste the checkpoint exactly as you kept it: JSON with its sequence, hash, signedAt, keyId, publicKey and signature');
    }
    let result: VerificationResult;
    try {
      result = await this.verification.verify({ from: form.from, to: form.to }, checkpoint, staff);
    } catch (error) {
      if (!(error instanceof BadRequestException)) throw error;
      return refuse(checkpoint ? 'checkpoint' : 'from', error.message);
    }
    const lastHash = result.intact && result.to ? await this.verification.hashOf(result.to) : null;
    await this.renderVerification(request, response, {
      values,
      result,
      lastHash,
      broken: result.intact ? null : { ...result.firstBroken, what: BREAKS[result.firstBroken.kind] ?? result.firstBroken.kind },
    });
  }

  @Post('checkpoints')
  @Page(...Roles.auditTrail)
  async signCheckpoint(@Req() request: WebRequest, @Res() response: Response, @SignedInStaff() staff: StaffMember): Promise<void> {
    const signed = await this.verification.checkpoint(staff);
    await this.flash.set(request, { text: `Checkpoint signed at event ${signed.sequence}. Keep a copy of it outside the hub.`, success: true });
    response.redirect(303, '/audit/verification');
  }

  private async renderLog(request: WebRequest, response: Response, search: LogSearch, view: LogView, staff: StaffMember, status?: number): Promise<void> {
    const found = search.errors ? { items: [], total: 0, page: 1, pageSize: PAGE_SIZE } : await this.auditor.search({ ...search.filters, page: search.page, pageSize: PAGE_SIZE }, staff);
    const link = (path: string, extra: Record<string, string>) => {
      const query = new URLSearchParams(search.query);
      for (const [name, value] of Object.entries(extra)) query.set(name, value);
      return `${path}?${query.toString()}`;
    };
    const pages = Math.max(1, Math.ceil(found.total / found.pageSize));
    this.views.render(
      request,
      response,
      view === 'events' ? 'audit.njk' : 'audit-shares.njk',
      {
        title: view === 'events' ? 'Audit log' : 'Sharing log',
        view,
        action: LOG_PATHS[view],
        values: search.values,
        rows: view === 'events' ? found.items.map(eventRow) : found.items.map(shareRow),
        total: found.total,
        page: found.page,
        pages,
        previousHref: found.page > 1 ? link(LOG_PATHS[view], { page: String(found.page - 1) }) : null,
        nextHref: found.page < pages ? link(LOG_PATHS[view], { page: String(found.page + 1) }) : null,
        csvHref: link(`${LOG_PATHS[view]}/export`, { format: 'csv' }),
        ndjsonHref: link(`${LOG_PATHS[view]}/export`, { format: 'ndjson' }),
        childHref: search.filters.childId && !search.errors ? `/audit/children/${search.filters.childId}` : null,
        actionOptions: [{ value: '', text: 'Anything' }, ...AUDIT_ACTIONS.map((action) => ({ value: action, text: action, selected: action === search.values.action }))],
        decisionOptions: [
          { value: '', text: 'Allowed or refused' },
          { value: 'allowed', text: 'Allowed', selected: search.values.decision === 'allowed' },
          { value: 'refused', text: 'Refused', selected: search.values.decision === 'refused' },
        ],
        errors: search.errors?.list,
        fieldErrors: search.errors?.byField ?? {},
      },
      status ?? (search.errors ? 400 : 200),
    );
  }

  /** The current search as a file: recorded before it streams, as the API's export is. */
  private async export(request: WebRequest, response: Response, raw: Record<string, unknown>, view: LogView, staff: StaffMember): Promise<void> {
    const search = await readLogSearch(raw, view);
    if (search.errors) return this.renderLog(request, response, search, view, staff);
    const format = raw.format as ExportFormat;
    if (!EXPORT_FORMATS.includes(format)) throw new BadRequestException('Choose the export’s format: CSV or NDJSON');
    await sendAuditExport(this.auditor, search.filters, format, staff, response);
  }

  private async renderVerification(request: WebRequest, response: Response, context: Record<string, unknown>, status = 200): Promise<void> {
    const checkpoints = await this.verification.checkpoints.list({ offset: 0, limit: CHECKPOINTS_SHOWN });
    const errors = context.errors as FormErrors | undefined;
    this.views.render(
      request,
      response,
      'audit-verification.njk',
      {
        title: 'Verify the audit trail',
        values: {},
        ...context,
        errors: errors?.list,
        fieldErrors: errors?.byField ?? {},
        checkpoints: checkpoints.items.map((checkpoint) => ({ ...checkpoint, json: JSON.stringify(checkpoint) })),
        newest: checkpoints.items[0] ? JSON.stringify(checkpoints.items[0], null, 2) : null,
      },
      status,
    );
  }
}

/** A kept checkpoint, pasted or sent back from the list: the signature is checked by the verification itself. */
async function readCheckpoint(text: string): Promise<SignedCheckpoint | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const checkpoint = plainToInstance(CheckpointDto, parsed);
  return (await validate(checkpoint, { whitelist: true, forbidUnknownValues: true })).length ? undefined : checkpoint;
}
