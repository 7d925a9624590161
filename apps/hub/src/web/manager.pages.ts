import { BadRequestException, Body, ConflictException, Controller, ForbiddenException, Get, NotFoundException, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { Response } from 'express';
import { londonInstant, londonWallTime, nextDate } from '#calendar';
import { CanonicalUuidPipe } from '#platform';
import { Roles } from '../access/access-policy.js';
import type { StaffMember } from '../access/staff.js';
import { AlertDesk } from '../alerts/alert-desk.js';
import { ListAlertsQuery, type AlertPage, type AlertView } from '../alerts/alert.dto.js';
import type { AlertAudience } from '../alerts/alert.entity.js';
import type { ContactDetail } from '../contacts/contact.dto.js';
import { ContactQueries } from '../contacts/contact-queries.js';
import { ScreeningDesk } from '../screening/screening-desk.js';
import { SIGN_OFF_LIST_LIMIT, SignOffQueue } from '../screening/sign-off-queue.js';
import { PAST_DEADLINE_LIST_LIMIT, Timeliness } from '../screening/timeliness.js';
import { UNRECORDED_TEAM, type TimelinessGroup, type TimelinessReport } from '../screening/timeliness.dto.js';
import { ContactSharing } from '../sharing/contact-sharing.js';
import { onTimeChart } from './charts.js';
import { ConsentOverrideForm, OUTCOME_WORDS, PRIMARY_NEED_WORDS, ReturnDecisionForm, readForm, readWhen, type FormErrors, type WhenInput } from './forms.js';
import { PageErrorsFilter } from './page-errors.filter.js';
import { PageFlash } from './page-flash.js';
import { Page, PageGuard, SignedInStaff, type WebRequest } from './page-policy.js';
import { Views } from './views.js';
import { sentence } from './words.js';

const needWords = (code: string) => PRIMARY_NEED_WORDS[code as keyof typeof PRIMARY_NEED_WORDS] ?? code;

const ALERT_KINDS: Record<AlertView['kind'], string> = {
  decision_overdue: 'Decision overdue',
  information_overdue: 'Information request overdue',
  encompass_unacknowledged: 'Operation Encompass notice not acknowledged',
  encompass_no_school: 'Operation Encompass: no known school',
};


/** The period the timeliness figures open on: the last four weeks, today included. */
const DEFAULT_PERIOD_DAYS = 28;

function daysBefore(date: string, days: number): string {
  const [year, month, day] = date.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, day - days)).toISOString().slice(0, 10);
}

/** A time to decision as a person would say it: minutes, hours and minutes, or days and hours. */
export function durationWords(minutes: number | null): string {
  if (minutes === null) return 'None decided';
  const plural = (amount: number, unit: string) => `${amount} ${unit}${amount === 1 ? '' : 's'}`;
  if (minutes < 60) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return [plural(hours, 'hour'), minutes % 60 ? plural(minutes % 60, 'minute') : ''].filter(Boolean).join(' ');
  return [plural(Math.floor(hours / 24), 'day'), hours % 24 ? plural(hours % 24, 'hour') : ''].filter(Boolean).join(' ');
}

const percent = (rate: number | null) => (rate === null ? '–' : `${Math.round(rate * 100)}%`);

/** One way of grouping the timeliness figures: its table and its chart. */
function breakdown(id: string, caption: string, heading: string, groups: readonly TimelinessGroup[], label: (key: string | null) => string) {
  const rows = groups.map((group) => ({
    label: label(group.key),
    decided: group.decided,
    onTime: group.onTime,
    late: group.late,
    percent: percent(group.onTimeRate),
    median: durationWords(group.medianMinutesToDecision),
  }));
  return { id, caption, heading, rows, chart: onTimeChart(rows) };
}

/** What a page with a form shows of it: the values given, and the error summary and field errors when refused. */
const formState = (values: object, errors: FormErrors | null | undefined) => ({ values, errors: errors?.list, fieldErrors: errors?.byField ?? {} });


/**
 * The period the timeliness figures are for, from the page's two GOV.UK date inputs (`from-day`, …,
 * `to-year`), both days included; the last four weeks, today included, when neither is given.
 */
export function readPeriod(raw: Record<string, unknown>, today: string): { from: string; to: string; values: { from: WhenInput['values']; to: WhenInput['values'] }; errors: FormErrors | null } {
  const from = readWhen(raw, 'from', 'The start date');
  const to = readWhen(raw, 'to', 'The end date');
  if (![from, to].some((when) => Object.values(when.values).some(Boolean))) {
    const start = daysBefore(today, DEFAULT_PERIOD_DAYS - 1);
    const shown = (date: string) => ({ day: String(Number(date.slice(8))), month: String(Number(date.slice(5, 7))), year: date.slice(0, 4), time: '' });
    return { from: start, to: today, values: { from: shown(start), to: shown(today) }, errors: null };
  }
  const byField: Record<string, string> = {};
  const fromProblem = from.problem ?? (from.date ? null : 'Enter the start date');
  const toProblem = to.problem ?? (to.date ? null : 'Enter the end date');
  if (fromProblem) byField.from = fromProblem;
  if (toProblem) byField.to = toProblem;
  else if (from.date && to.date! < from.date) byField.to = 'The end date must be the same as or after the start date';
  const list = Object.entries(byField).map(([field, text]) => ({ text, href: `#${field}-day` }));
  return { from: from.date ?? '', to: to.date ?? '', values: { from: from.values, to: to.values }, errors: list.length ? { list, byField } : null };
}

/**
 * The MASH manager's pages: signing off (or returning) decisions, what is late or escalated,
 * overriding refused consent, and the front door's timeliness. Each goes through the same
 * services, and so the same lifecycle, rules and audit, as the API.
 */
@ApiExcludeController()
@Controller()
@UseGuards(PageGuard)
@UseFilters(PageErrorsFilter)
export class ManagerPages {
  constructor(
    private readonly contacts: ContactQueries,
    private readonly signOffQueue: SignOffQueue,
    private readonly desk: ScreeningDesk,
    private readonly alerts: AlertDesk,
    private readonly sharing: ContactSharing,
    private readonly timeliness: Timeliness,
    private readonly flash: PageFlash,
    private readonly views: Views,
  ) {}

  @Get('sign-off')
  @Page(...Roles.signOff)
  async signOffList(@Req() request: WebRequest, @Res() response: Response, @SignedInStaff() staff: StaffMember): Promise<void> {
    const { decisions: waiting, more } = await this.signOffQueue.list(staff);
    this.views.render(request, response, 'sign-off-list.njk', {
      title: 'Decisions to sign off',
      flash: await this.flash.take(request),
      more,
      limit: SIGN_OFF_LIST_LIMIT,
      rows: waiting.map((decision) => ({
        ...decision,
        outcome: OUTCOME_WORDS[decision.outcome].text,
        primaryNeed: needWords(decision.primaryNeed),
        yours: decision.decidedById === staff.id,
        timeLeft: this.views.timeLeft(decision.decisionDueAt, decision.rag),
      })),
    });
  }

  @Get('sign-off/:contactId')
  @Page(...Roles.signOff)
  async decision(@Req() request: WebRequest, @Res() response: Response, @Param('contactId', CanonicalUuidPipe) contactId: string, @SignedInStaff() staff: StaffMember): Promise<void> {
    await this.renderDecision(request, response, contactId, staff, {}, null);
  }

  @Post('sign-off/:contactId')
  @Page(...Roles.signOff)
  async signOff(@Req() request: WebRequest, @Res() response: Response, @Param('contactId', CanonicalUuidPipe) contactId: string, @SignedInStaff() staff: StaffMember): Promise<void> {
    const done = await this.flash.outcome(request, () => this.desk.signOff(contactId, staff), 'Decision signed off: the contact is closed and the referrers are told the outcome, as far as the sharing rules allow');
    response.redirect(303, done ? '/sign-off' : `/sign-off/${contactId}`);
  }

  @Post('sign-off/:contactId/return')
  @Page(...Roles.signOff)
  async returnDecision(
    @Req() request: WebRequest,
    @Res() response: Response,
    @Param('contactId', CanonicalUuidPipe) contactId: string,
    @Body() body: unknown,
    @SignedInStaff() staff: StaffMember,
  ): Promise<void> {
    const { form, errors } = await readForm(ReturnDecisionForm, body, { reason: 'reason' });
    if (errors) return this.renderDecision(request, response, contactId, staff, { reason: form.reason }, errors, 400);
    const done = await this.flash.outcome(request, () => this.desk.returnDecision(contactId, staff, form.reason), 'Decision returned to the screener with your reason');
    response.redirect(303, done ? '/sign-off' : `/sign-off/${contactId}`);
  }

  private async renderDecision(
    request: WebRequest,
    response: Response,
    contactId: string,
    staff: StaffMember,
    values: { reason?: string },
    errors: FormErrors | null,
    status = 200,
  ): Promise<void> {
    const contact = await this.contacts.get(contactId, staff);
    if (!contact) throw new NotFoundException();
    const decision = contact.decisions.at(-1) ?? null;
    this.views.render(
      request,
      response,
      'sign-off-decision.njk',
      {
        title: `Decision on contact ${contact.number}`,
        contact,
        flash: await this.flash.take(request),
        awaitingSignOff: contact.status === 'awaiting_sign_off' && decision !== null,
        decision: decision && { ...decision, outcome: OUTCOME_WORDS[decision.outcome].text, primaryNeed: needWords(decision.primaryNeed) },
        returnedBefore: contact.decisions.filter((earlier) => earlier.returnedAt).length,
        timeLeft: contact.status === 'awaiting_sign_off' ? this.views.timeLeft(contact.decisionDueAt, contact.rag ?? contact.senderUrgency) : null,
        ...formState(values, errors),
      },
      status,
    );
  }

  @Get('alerts')
  @Page(...Roles.mashRecords)
  async alertList(@Req() request: WebRequest, @Res() response: Response, @Query() raw: Record<string, unknown>, @SignedInStaff() staff: StaffMember): Promise<void> {
    const query = plainToInstance(ListAlertsQuery, { audience: raw.audience || undefined, after: raw.after || undefined, pageSize: 50 });
    const problems = await validate(query, { whitelist: true });
    let page: AlertPage = { items: [], pageSize: 50, next: null };
    let problem = problems.length ? 'Choose who the alerts are for from the list' : null;
    if (!problem) {
      try {
        page = await this.alerts.list(query, staff);
      } catch (error) {
        // A page of alerts that no longer exists, or the manager's alerts asked for by a screener.
        if (!(error instanceof BadRequestException || error instanceof ForbiddenException)) throw error;
        problem = error.message;
      }
    }
    const manager = staff.roles.includes('manager');
    const option = (value: '' | AlertAudience, text: string) => ({ value, text, selected: value === (query.audience ?? '') });
    const next = page.next && `/alerts?${new URLSearchParams({ ...(query.audience && { audience: query.audience }), after: page.next }).toString()}`;
    const pastDeadline = await this.timeliness.waitingPastDeadline(staff);
    this.views.render(
      request,
      response,
      'alerts.njk',
      {
        title: 'Late and escalated',
        flash: await this.flash.take(request),
        alerts: page.items.map((alert) => ({ ...alert, what: ALERT_KINDS[alert.kind] })),
        audienceOptions: manager ? [option('', 'Everyone'), option('screener', 'Screeners'), option('manager', 'The MASH manager')] : null,
        nextHref: next,
        olderPage: Boolean(query.after),
        pastDeadline: pastDeadline.contacts.map((contact) => ({ ...contact, timeLeft: this.views.timeLeft(contact.decisionDueAt, contact.rag) })),
        morePastDeadline: pastDeadline.more,
        pastDeadlineLimit: PAST_DEADLINE_LIST_LIMIT,
        errors: problem ? [{ text: problem, href: '#audience' }] : undefined,
        fieldErrors: problem ? { audience: problem } : {},
      },
      problem ? 400 : 200,
    );
  }

  @Post('alerts/:id/resolve')
  @Page(...Roles.mashRecords)
  async resolveAlert(@Req() request: WebRequest, @Res() response: Response, @Param('id', CanonicalUuidPipe) id: string, @SignedInStaff() staff: StaffMember): Promise<void> {
    // Already resolved by someone else, or a manager's alert a screener may not resolve: said on the list.
    await this.flash.outcome(request, () => this.alerts.resolve(id, staff), 'Alert resolved', (error) => (error instanceof ConflictException || error instanceof ForbiddenException ? error.message : null));
    response.redirect(303, '/alerts');
  }

  @Get('contacts/:id/consent/override')
  @Page(...Roles.consentOverride)
  async consentOverrideForm(@Req() request: WebRequest, @Res() response: Response, @Param('id', CanonicalUuidPipe) id: string, @SignedInStaff() staff: StaffMember): Promise<void> {
    await this.renderConsentOverride(request, response, id, staff, {}, null);
  }

  @Post('contacts/:id/consent/override')
  @Page(...Roles.consentOverride)
  async overrideConsent(@Req() request: WebRequest, @Res() response: Response, @Param('id', CanonicalUuidPipe) id: string, @Body() body: unknown, @SignedInStaff() staff: StaffMember): Promise<void> {
    const { form, errors } = await readForm(ConsentOverrideForm, body, { justification: 'justification' });
    if (errors) return this.renderConsentOverride(request, response, id, staff, { justification: form.justification }, errors, 400);
    await this.flash.outcome(request, () => this.sharing.overrideConsent(id, staff, form.justification), 'Consent refusal overridden: shares that need consent may now be allowed');
    response.redirect(303, `/contacts/${id}`);
  }

  private async renderConsentOverride(
    request: WebRequest,
    response: Response,
    id: string,
    staff: StaffMember,
    values: { justification?: string },
    errors: FormErrors | null,
    status = 200,
  ): Promise<void> {
    const contact: ContactDetail | null = await this.contacts.get(id, staff);
    if (!contact) throw new NotFoundException();
    const { standing, override } = contact.consent;
    this.views.render(
      request,
      response,
      'consent-override.njk',
      {
        title: `Override refused consent on contact ${contact.number}`,
        contact,
        refusal: standing?.status === 'refused' && !override ? standing : null,
        summary: contact.consent.summary,
        ...formState(values, errors),
      },
      status,
    );
  }

  @Get('timeliness')
  @Page(...Roles.timeliness)
  async timelinessReport(@Req() request: WebRequest, @Res() response: Response, @Query() raw: Record<string, unknown>, @SignedInStaff() staff: StaffMember): Promise<void> {
    const period = readPeriod(raw, londonWallTime(new Date()).date);
    const report = period.errors ? null : await this.timeliness.report(londonInstant(period.from, 0), londonInstant(nextDate(period.to), 0), staff);
    this.views.render(
      request,
      response,
      'timeliness.njk',
      {
        title: 'Timeliness',
        period: report && { from: period.from, to: period.to },
        figures: report && this.figures(report),
        ...formState(period.values, period.errors),
      },
      period.errors ? 400 : 200,
    );
  }

  private figures(report: TimelinessReport) {
    const { overall } = report;
    return {
      decided: overall.decided,
      onTime: overall.onTime,
      late: overall.late,
      percent: percent(overall.onTimeRate),
      median: durationWords(overall.medianMinutesToDecision),
      waitingPastDeadline: report.waitingPastDeadline,
      breakdowns: [
        breakdown('by-rag', 'Decided on time, by RAG', 'RAG', report.byRag, (key) => sentence(key ?? 'not known')),
        breakdown('by-agency', 'Decided on time, by referring agency', 'Referring agency', report.byReferringAgency, (key) => (key ? sentence(key) : 'Not known')),
        breakdown('by-team', 'Decided on time, by the deciding team', 'Team', report.byTeam, (key) => (key === UNRECORDED_TEAM || !key ? 'No team recorded' : key)),
      ],
    };
  }
}
