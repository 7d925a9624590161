import { Body, Controller, Get, NotFoundException, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { InvalidCredentialRequestError, MAX_CREDENTIAL_DAYS, credentialStatus, type PartnerCredential } from '#adapter-kit';
import { londonInstant, nextDate } from '#calendar';
import { AGENCIES, ORGANISATION_CODE_RULES, agencyProfile, agencyQueue, hubIntakeQueue, inboxPushQueue, isUuidText, type Agency } from '#contracts';
import { CanonicalUuidPipe } from '#platform';
import { Roles } from '../access/access-policy.js';
import type { StaffMember } from '../access/staff.js';
import { DeadLetterDesk, OBSERVED_QUEUES } from '../operations/dead-letter-desk.js';
import { PartnerCredentialDesk } from '../operations/partner-credential-desk.js';
import { IssueCredentialForm, readForm, readWhen, type FormErrors } from './forms.js';
import { Page, PageGuard, SignedInStaff, type WebRequest } from './page-policy.js';
import { PageErrorsFilter } from './page-errors.filter.js';
import { PageFlash } from './page-flash.js';
import { Views } from './views.js';

const DEAD_LETTERS_PER_PAGE = 25;

/** What each observed queue carries, in words. */
const QUEUE_DESCRIPTIONS: Record<string, string> = Object.fromEntries(
  AGENCIES.flatMap((agency) => [
    [hubIntakeQueue(agency), `From the ${agency} adapter to the hub`],
    [agencyQueue(agency), `From the hub to the ${agency} adapter`],
    [inboxPushQueue(agency), `Pushed to ${agency} organisations’ own systems`],
  ]),
);

/** A queue named in the address: one the hub observes, or the page is not found. */
function observedQueue(queue: string): string {
  if (!OBSERVED_QUEUES.includes(queue)) throw new NotFoundException();
  return queue;
}

/** A dead letter's id: its message id (a UUID, kept in lower case) or another job id. */
function messageId(id: string): string {
  if (id.length > 200) throw new NotFoundException();
  return isUuidText(id) ? id.toLowerCase() : id;
}

function credentialRow(credential: PartnerCredential, now: Date) {
  return { ...credential, status: credentialStatus(credential, now) };
}

const agencyOptions = (selected: string | undefined, first: { value: string; text: string }) => [
  first,
  ...AGENCIES.map((agency) => ({ value: agency, text: agencyProfile(agency).title, selected: agency === selected })),
];

/** The admins' pages: operations (dead letters, replayed), and partner systems' credentials. */
@ApiExcludeController()
@Controller('admin')
@UseGuards(PageGuard)
@UseFilters(PageErrorsFilter)
export class AdminPages {
  constructor(
    private readonly deadLetters: DeadLetterDesk,
    private readonly credentials: PartnerCredentialDesk,
    private readonly flash: PageFlash,
    private readonly views: Views,
  ) {}

  @Get()
  @Page(...Roles.operations)
  async operations(@Req() request: WebRequest, @Res() response: Response): Promise<void> {
    const queues = (await this.deadLetters.counts()).filter((queue) => queue.total > 0);
    const credentials = await this.credentials.list();
    const now = new Date();
    this.views.render(request, response, 'admin.njk', {
      title: 'Operations',
      queues: queues.map((queue) => ({ ...queue, description: QUEUE_DESCRIPTIONS[queue.queue] })),
      deadLetters: queues.reduce((sum, queue) => sum + queue.total, 0),
      activeCredentials: credentials.filter((credential) => credentialStatus(credential, now) === 'active').length,
    });
  }

  @Get('dead-letters')
  @Page(...Roles.operations)
  async deadLetterQueues(@Req() request: WebRequest, @Res() response: Response): Promise<void> {
    const queues = await this.deadLetters.counts();
    this.views.render(request, response, 'dead-letters.njk', {
      title: 'Dead letters',
      queues: queues.map((queue) => ({ ...queue, description: QUEUE_DESCRIPTIONS[queue.queue] })),
    });
  }

  @Get('dead-letters/:queue')
  @Page(...Roles.operations)
  async deadLetterQueue(
    @Req() request: WebRequest,
    @Res() response: Response,
    @Param('queue') queue: string,
    @Query('page') page: string | undefined,
    @SignedInStaff() staff: StaffMember,
  ): Promise<void> {
    await this.renderQueue(request, response, observedQueue(queue), /^\d{1,6}$/.test(page ?? '') && Number(page) >= 1 ? Number(page) : 1, staff);
  }

  @Post('dead-letters/:queue/replay')
  @Page(...Roles.operations)
  async replayMany(@Req() request: WebRequest, @Res() response: Response, @Param('queue') queue: string, @Body() body: Record<string, unknown>, @SignedInStaff() staff: StaffMember): Promise<void> {
    observedQueue(queue);
    const from = readWhen(body ?? {}, 'failedFrom', 'The ‘failed from’ time', true);
    const to = readWhen(body ?? {}, 'failedTo', 'The ‘failed to’ time', true);
    const byField: Record<string, string> = {};
    if (from.problem) byField['failedFrom-day'] = from.problem;
    if (to.problem) byField['failedTo-day'] = to.problem;
    else if (from.instant && to.instant && Date.parse(to.instant) < Date.parse(from.instant)) byField['failedTo-day'] = 'The ‘failed to’ time must be the same as or after the ‘failed from’ time';
    if (Object.keys(byField).length) {
      const errors = { byField, list: Object.entries(byField).map(([field, text]) => ({ text, href: `#${field}` })) };
      return this.renderQueue(request, response, queue, 1, staff, { errors, values: { failedFrom: from.values, failedTo: to.values } }, 400);
    }
    // A last day without a time counts in full.
    const failedTo = to.date && !to.values.time ? new Date(londonInstant(nextDate(to.date), 0).getTime() - 1).toISOString() : to.instant;
    const result = await this.deadLetters.replayMany(queue, { failedFrom: from.instant ?? undefined, failedTo: failedTo ?? undefined }, staff);
    const replayed = `${result.replayed} dead letter${result.replayed === 1 ? '' : 's'} replayed: back in the queue with their attempts reset.`;
    await this.flash.set(request, { text: result.more ? `${replayed} More remain: replay again.` : replayed, success: true });
    response.redirect(303, `/admin/dead-letters/${queue}`);
  }

  @Post('dead-letters/:queue/:id/replay')
  @Page(...Roles.operations)
  async replay(@Req() request: WebRequest, @Res() response: Response, @Param('queue') queue: string, @Param('id') id: string, @SignedInStaff() staff: StaffMember): Promise<void> {
    observedQueue(queue);
    const message = messageId(id);
    try {
      await this.deadLetters.replay(queue, message, staff);
      await this.flash.set(request, { text: `1 dead letter replayed: message ${message} is back in the queue with its attempts reset.`, success: true });
    } catch (error) {
      if (!(error instanceof NotFoundException)) throw error;
      await this.flash.set(request, { text: `Message ${message} is not a dead letter of this queue (any more): it may have been replayed already.`, success: false });
    }
    response.redirect(303, `/admin/dead-letters/${queue}`);
  }

  @Get('partners')
  @Page(...Roles.operations)
  async partners(@Req() request: WebRequest, @Res() response: Response, @Query('agency') agency: string | undefined): Promise<void> {
    const chosen = AGENCIES.includes(agency as Agency) ? (agency as Agency) : undefined;
    const invalid = !!agency && !chosen;
    const credentials = invalid ? [] : await this.credentials.list(chosen);
    const now = new Date();
    const groups = AGENCIES.filter((each) => !chosen || each === chosen)
      .map((each) => ({
        agency: each,
        title: agencyProfile(each).title,
        credentials: credentials.filter((credential) => credential.agency === each).map((credential) => credentialRow(credential, now)),
      }))
      .filter((group) => chosen || group.credentials.length);
    const problem = 'Choose an agency from the list';
    this.views.render(
      request,
      response,
      'partners.njk',
      {
        title: 'Partner systems and their credentials',
        flash: await this.flash.take(request),
        groups,
        total: credentials.length,
        agencyOptions: agencyOptions(chosen, { value: '', text: 'Every agency' }),
        errors: invalid ? [{ text: problem, href: '#agency' }] : undefined,
        fieldErrors: invalid ? { agency: problem } : {},
      },
      invalid ? 400 : 200,
    );
  }

  @Get('partners/new')
  @Page(...Roles.operations)
  issueForm(@Req() request: WebRequest, @Res() response: Response): void {
    this.renderIssueForm(request, response, { days: '365' }, null);
  }

  @Post('partners')
  @Page(...Roles.operations)
  async issue(@Req() request: WebRequest, @Res() response: Response, @Body() body: unknown, @SignedInStaff() staff: StaffMember): Promise<void> {
    const { form, errors } = await readForm(IssueCredentialForm, body, { agency: 'agency', organisation: 'organisation', system: 'system', days: 'days' });
    const values = body as Record<string, string>;
    if (errors) return this.renderIssueForm(request, response, values, errors, 400);
    let issued;
    try {
      issued = await this.credentials.issue({ agency: form.agency, organisation: form.organisation, system: form.system, days: form.days }, staff);
    } catch (error) {
      // The store checks again; the form should have caught anything it refuses.
      if (!(error instanceof InvalidCredentialRequestError)) throw error;
      return this.renderIssueForm(request, response, values, { list: [{ text: error.message, href: '#agency' }], byField: {} }, 400);
    }
    // Shown now and never again: the token is not kept anywhere, not even in the session.
    this.views.render(request, response, 'partner-issued.njk', { title: 'Credential issued', credential: issued.credential, token: issued.token, agencyTitle: agencyProfile(issued.credential.agency).title });
  }

  @Get('partners/:id/revoke')
  @Page(...Roles.operations)
  async revokeForm(@Req() request: WebRequest, @Res() response: Response, @Param('id', CanonicalUuidPipe) id: string): Promise<void> {
    const credential = await this.credentials.get(id);
    if (!credential) throw new NotFoundException();
    this.views.render(request, response, 'partner-revoke.njk', { title: 'Revoke a partner credential', credential: credentialRow(credential, new Date()) });
  }

  @Post('partners/:id/revoke')
  @Page(...Roles.operations)
  async revoke(@Req() request: WebRequest, @Res() response: Response, @Param('id', CanonicalUuidPipe) id: string, @SignedInStaff() staff: StaffMember): Promise<void> {
    const result = await this.credentials.revoke(id, staff);
    if (!result) throw new NotFoundException();
    const { credential } = result;
    const named = `${credential.system} (${credential.agency}, organisation ${credential.organisation})`;
    await this.flash.set(request, {
      text: result.outcome === 'revoked' ? `Credential of ${named} revoked: it is refused from now on.` : `The credential of ${named} was already revoked.`,
      success: result.outcome === 'revoked',
    });
    response.redirect(303, `/admin/partners?agency=${credential.agency}`);
  }

  private async renderQueue(request: WebRequest, response: Response, queue: string, page: number, staff: StaffMember, form: { errors?: FormErrors; values?: object } = {}, status = 200): Promise<void> {
    const found = await this.deadLetters.list(queue, { offset: (page - 1) * DEAD_LETTERS_PER_PAGE, limit: DEAD_LETTERS_PER_PAGE }, staff);
    const pages = Math.max(1, Math.ceil(found.total / DEAD_LETTERS_PER_PAGE));
    const pageHref = (number: number) => `/admin/dead-letters/${queue}?page=${number}`;
    this.views.render(
      request,
      response,
      'dead-letter-queue.njk',
      {
        title: `Dead letters: ${queue}`,
        queue,
        description: QUEUE_DESCRIPTIONS[queue],
        flash: await this.flash.take(request),
        // Never the payload: it may hold personal data. When, why and how often only.
        letters: found.items.map(({ id, pattern, reason, permanent, attemptsMade, firstAttemptAt, failedAt }) => ({ id, pattern, reason, permanent, attemptsMade, firstAttemptAt, failedAt })),
        total: found.total,
        page,
        pages,
        previousHref: page > 1 ? pageHref(page - 1) : null,
        nextHref: page < pages ? pageHref(page + 1) : null,
        values: form.values ?? {},
        errors: form.errors?.list,
        fieldErrors: form.errors?.byField ?? {},
      },
      status,
    );
  }

  private renderIssueForm(request: WebRequest, response: Response, values: Record<string, string>, errors: FormErrors | null, status = 200): void {
    this.views.render(
      request,
      response,
      'partner-new.njk',
      {
        title: 'Issue a partner credential',
        values,
        maxDays: MAX_CREDENTIAL_DAYS,
        agencies: AGENCIES.map((agency) => ({
          value: agency,
          text: agencyProfile(agency).title,
          hint: { text: `Organisation code: ${ORGANISATION_CODE_RULES[agency].name}, for example ${ORGANISATION_CODE_RULES[agency].example}` },
          checked: values.agency === agency,
        })),
        errors: errors?.list,
        fieldErrors: errors?.byField ?? {},
      },
      status,
    );
  }
}
