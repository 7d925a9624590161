import { Body, Controller, Get, NotFoundException, Param, Post, Query, Req, Res, UnprocessableEntityException, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { Response } from 'express';
import { CanonicalUuidPipe } from '#platform';
import { transition, type ContactAct } from '#screening';
import { AGENCIES, CONTACT_OUTCOMES, type Rag, type SafeguardingNotification } from '#contracts';
import { Roles } from '../access/access-policy.js';
import type { StaffMember } from '../access/staff.js';
import { ContactQueries } from '../contacts/contact-queries.js';
import { sortOf } from '../contacts/contact-cursor.js';
import { CONTACT_SORTS, CONTACT_STATUS_FILTERS, ListContactsQuery, RAG_FILTERS, REPEAT_FILTERS, type ContactDetail } from '../contacts/contact.dto.js';
import type { InformationRequestsOutcome, InformationRequestView } from '../information-requests/information-request.dto.js';
import { InformationRequests } from '../information-requests/information-requests.js';
import { PartnerCredentialDesk } from '../operations/partner-credential-desk.js';
import { ScreeningDesk } from '../screening/screening-desk.js';
import { ContactSharing } from '../sharing/contact-sharing.js';
import {
  DecisionForm,
  InformationRequestForm,
  LEVELS_OF_NEED,
  ORGANISATION_CODE_HINTS,
  OUTCOME_WORDS,
  PRIMARY_NEED_WORDS,
  RagForm,
  WithdrawForm,
  questionWithReason,
  readForm,
  type FormErrors,
} from './forms.js';
import { PageFlash, conflictWords } from './page-flash.js';
import { Page, PageGuard, SignedInStaff, type WebRequest } from './page-policy.js';
import { PageErrorsFilter } from './page-errors.filter.js';
import { Views } from './views.js';
import { sentence, words } from './words.js';


/** One notification as the contact page shows it: the partner's own words, and the child's voice first. */
function notificationView(linked: ContactDetail['notifications'][number]) {
  const message = linked.message as SafeguardingNotification;
  const child = message.subjects?.children?.[linked.childIndex];
  const consent = message.consent;
  return {
    agency: linked.sourceAgency,
    organisation: linked.sourceOrganisation,
    reference: linked.partnerReference,
    receivedAt: linked.receivedAt,
    occurredAt: linked.occurredAt,
    senderUrgency: linked.senderUrgency,
    categories: linked.categories,
    narrative: message.narrative,
    voice: child?.voice ?? null,
    adults: (message.subjects?.adults ?? []).map((adult) => `${adult.givenName} ${adult.familyName} (${words(adult.role).toLowerCase()}${adult.relationshipToChild ? `, ${adult.relationshipToChild}` : ''})`),
    consent: consent
      ? `${sentence(consent.status)}${consent.givenBy ? ` by ${words(consent.givenBy)}` : ''}${consent.notSoughtReason ? `: ${words(consent.notSoughtReason).toLowerCase()}` : ''}`
      : 'Not stated',
  };
}

function timelineEntry(entry: ContactDetail['timeline'][number]) {
  const details = (entry.details ?? {}) as Record<string, unknown>;
  const what = entry.action === 'contact.state_changed' && typeof details.to === 'string' ? `Now ${words(details.to)}` : sentence(entry.action.replace('.', ' '));
  const who = typeof details.actorName === 'string' ? details.actorName : entry.onBehalfOf ? `${entry.actor} (${entry.onBehalfOf})` : entry.actor;
  return { at: entry.at, what, who };
}

const allows = (contact: ContactDetail, act: ContactAct) => transition(contact.status, act).allowed;

/** To whom a request went, in words: "Health (RJ1)". */
const recipientOf = (request: { recipientAgency: string; recipientOrganisation: string }) => `${sentence(request.recipientAgency)} (${request.recipientOrganisation})`;

const REQUEST_STATUS_WORDS: Record<InformationRequestView['status'], { text: string; tag: string }> = {
  sent: { text: 'Awaiting answer', tag: 'govuk-tag--blue' },
  answered: { text: 'Answered', tag: 'govuk-tag--green' },
  withdrawn: { text: 'Withdrawn', tag: 'govuk-tag--grey' },
  refused: { text: 'Refused: not sent', tag: 'govuk-tag--red' },
};

function informationRequestEntry(request: InformationRequestView, now: Date) {
  return {
    ...request,
    to: recipientOf(request),
    status: REQUEST_STATUS_WORDS[request.status],
    open: request.status === 'sent',
    refused: request.status === 'refused',
    overdue: request.status === 'sent' && new Date(request.dueAt) <= now,
  };
}

/** The sharing decision refused every request (422): what it said, and what would allow it. */
function sharingRefusal(error: unknown): string | null {
  if (!(error instanceof UnprocessableEntityException)) return conflictWords(error);
  const { requests } = error.getResponse() as InformationRequestsOutcome;
  const reasons = requests.flatMap((request) => request.reasons.map((reason) => `${reason.explanation} ${reason.remedy}`));
  return `The sharing decision refused the request to ${requests.map(recipientOf).join(', ')}, so nothing was sent. ${reasons.join(' ')}`.trim();
}

/** The queue's filters, refused in words for the page. */
const QUEUE_FILTER_ERRORS: Record<string, string> = {
  status: 'Choose a status from the list',
  rag: 'Choose a RAG from the list',
  repeat: 'Choose repeat flags from the list',
  agency: 'Choose a referring agency from the list',
  sort: 'Choose an order from the list',
  after: 'The link to this page of contacts no longer works: apply the filters again to start from the first page',
};

/** The screeners' and managers' pages: the queue, a contact, and the screening acts on it. */
@ApiExcludeController()
@Controller('contacts')
@UseGuards(PageGuard)
@UseFilters(PageErrorsFilter)
export class ContactPages {
  constructor(
    private readonly contacts: ContactQueries,
    private readonly sharing: ContactSharing,
    private readonly desk: ScreeningDesk,
    private readonly requests: InformationRequests,
    private readonly partners: PartnerCredentialDesk,
    private readonly flash: PageFlash,
    private readonly views: Views,
  ) {}

  @Get()
  @Page(...Roles.mashRecords)
  async queue(@Req() request: WebRequest, @Res() response: Response, @Query() raw: Record<string, unknown>, @SignedInStaff() staff: StaffMember): Promise<void> {
    // The queue opens on the contacts waiting in the MASH, soonest deadline first; "all" shows every status.
    const given = { status: 'open', ...raw };
    const query = plainToInstance(ListContactsQuery, {
      ...given,
      status: given.status === 'all' ? undefined : given.status,
      rag: raw.rag || undefined,
      repeat: raw.repeat || undefined,
      agency: raw.agency || undefined,
      sort: raw.sort || undefined,
      after: raw.after || undefined,
      pageSize: 25,
    });
    const problems = await validate(query, { whitelist: true });
    const fieldErrors: Record<string, string> = {};
    for (const problem of problems) {
      // A cursor is not chosen by hand: an out-of-date one is the order's problem.
      const field = problem.property === 'after' ? 'sort' : problem.property;
      fieldErrors[field] = QUEUE_FILTER_ERRORS[problem.property] ?? 'Choose from the list';
    }
    const page = problems.length ? null : await this.contacts.list(query, staff);
    const sort = page?.sort ?? (CONTACT_SORTS.includes(query.sort as never) ? query.sort! : sortOf({ status: query.status as string }));
    const option = (value: string, text: string, selected: unknown) => ({ value, text, selected: value === (selected ?? '') });
    const nextQuery = new URLSearchParams({
      ...(given.status && { status: String(given.status) }),
      ...(query.rag && { rag: query.rag }),
      ...(query.repeat && { repeat: query.repeat }),
      ...(query.agency && { agency: query.agency }),
      sort,
      ...(page?.next && { after: page.next }),
    });
    this.views.render(
      request,
      response,
      'queue.njk',
      {
        title: 'Contacts',
        rows: (page?.items ?? []).map((item) => ({ ...item, timeLeft: item.status === 'closed' ? null : this.views.timeLeft(item.decisionDueAt, item.rag ?? item.senderUrgency) })),
        total: page?.total ?? 0,
        totalIsExact: page?.totalIsExact ?? true,
        sortWords: sort === 'deadline' ? 'soonest decision deadline first' : 'newest first',
        nextHref: page?.next ? `/contacts?${nextQuery.toString()}` : null,
        nextLabel: sort === 'deadline' ? 'Later deadlines' : 'Older contacts',
        statusOptions: [option('all', 'Any status', given.status), ...CONTACT_STATUS_FILTERS.map((status) => option(status, status === 'open' ? 'Open (waiting in the MASH)' : sentence(status), given.status))],
        ragOptions: [option('', 'Any RAG', raw.rag), ...RAG_FILTERS.map((rag) => option(rag, rag === 'unrated' ? 'Not rated' : sentence(rag), raw.rag))],
        repeatOptions: [
          option('', 'Any', raw.repeat),
          ...REPEAT_FILTERS.map((repeat) => option(repeat, repeat === 'any' ? 'Either flag' : repeat === 're_referral' ? 'Re-referrals' : 'Low-level repeats', raw.repeat)),
        ],
        agencyOptions: [option('', 'Any agency', raw.agency), ...AGENCIES.map((agency) => option(agency, sentence(agency), raw.agency))],
        sortOptions: [option('deadline', 'Decision deadline, soonest first', sort), option('newest', 'Newest first', sort)],
        errors: problems.length ? Object.entries(fieldErrors).map(([field, text]) => ({ text, href: `#${field}` })) : undefined,
        fieldErrors,
      },
      problems.length ? 400 : 200,
    );
  }

  @Get(':id')
  @Page(...Roles.mashRecords)
  async contact(@Req() request: WebRequest, @Res() response: Response, @Param('id', CanonicalUuidPipe) id: string, @SignedInStaff() staff: StaffMember): Promise<void> {
    const contact = await this.contactOr404(id, staff);
    const shares = (await this.sharing.view(id, staff)).shares;
    const flash = await this.flash.take(request);
    const now = new Date();
    this.views.render(request, response, 'contact.njk', {
      title: `Contact ${contact.number}`,
      contact,
      flash,
      timeLeft: ['closed', 'with_allocated_worker'].includes(contact.status) ? null : this.views.timeLeft(contact.decisionDueAt, contact.rag ?? contact.senderUrgency),
      notifications: contact.notifications.map(notificationView),
      informationRequests: contact.informationRequests.map((entry) => informationRequestEntry(entry, now)),
      shares,
      timeline: contact.timeline.map(timelineEntry),
      // What the lifecycle allows from here (the desk checks again, and says why not).
      can: {
        startScreening: allows(contact, 'start_screening'),
        // A RAG is set, or changed, while the contact is screened: from the start until it is decided.
        rate: allows(contact, 'request_information'),
        requestInformation: allows(contact, 'request_information'),
        readyForDecision: allows(contact, 'ready_for_decision'),
        decide: allows(contact, 'record_decision'),
      },
    });
  }

  @Post(':id/screening')
  @Page(...Roles.mashRecords)
  async startScreening(@Req() request: WebRequest, @Res() response: Response, @Param('id', CanonicalUuidPipe) id: string, @SignedInStaff() staff: StaffMember): Promise<void> {
    await this.flash.outcome(request, () => this.desk.startScreening(id, staff), 'You are screening this contact');
    response.redirect(303, `/contacts/${id}`);
  }

  @Get(':id/rag')
  @Page(...Roles.mashRecords)
  async ragForm(@Req() request: WebRequest, @Res() response: Response, @Param('id', CanonicalUuidPipe) id: string, @SignedInStaff() staff: StaffMember): Promise<void> {
    this.renderRag(request, response, await this.contactOr404(id, staff), {}, null);
  }

  @Post(':id/rag')
  @Page(...Roles.mashRecords)
  async setRag(@Req() request: WebRequest, @Res() response: Response, @Param('id', CanonicalUuidPipe) id: string, @Body() body: unknown, @SignedInStaff() staff: StaffMember): Promise<void> {
    const { form, errors } = await readForm(RagForm, body, { rag: 'rag', reason: 'reason' });
    if (errors) return this.renderRag(request, response, await this.contactOr404(id, staff), { rag: form.rag, reason: form.reason }, errors, 400);
    await this.flash.outcome(request, () => this.desk.setRag(id, staff, form.rag, form.reason), `RAG set to ${form.rag}`);
    response.redirect(303, `/contacts/${id}`);
  }

  @Get(':id/information-requests/new')
  @Page(...Roles.mashRecords)
  async informationRequestForm(@Req() request: WebRequest, @Res() response: Response, @Param('id', CanonicalUuidPipe) id: string, @SignedInStaff() staff: StaffMember): Promise<void> {
    await this.renderInformationRequest(request, response, await this.contactOr404(id, staff), {}, null);
  }

  /** Through the sharing decision: a request it refuses is recorded as refused, and the page says why. */
  @Post(':id/information-requests')
  @Page(...Roles.mashRecords)
  async requestInformation(@Req() request: WebRequest, @Res() response: Response, @Param('id', CanonicalUuidPipe) id: string, @Body() body: unknown, @SignedInStaff() staff: StaffMember): Promise<void> {
    const { form, errors } = await readForm(InformationRequestForm, body);
    if (errors) return this.renderInformationRequest(request, response, await this.contactOr404(id, staff), form, errors, 400);
    await this.flash.outcome(
      request,
      () => this.requests.ask(id, staff, { recipients: [{ agency: form.agency, organisation: form.organisation }], question: questionWithReason(form) }),
      (outcome) => `Information requested from ${outcome.requests.map(recipientOf).join(', ')}`,
      sharingRefusal,
    );
    response.redirect(303, `/contacts/${id}`);
  }

  @Get(':id/information-requests/:requestId/withdraw')
  @Page(...Roles.mashRecords)
  async withdrawForm(
    @Req() request: WebRequest,
    @Res() response: Response,
    @Param('id', CanonicalUuidPipe) id: string,
    @Param('requestId', CanonicalUuidPipe) requestId: string,
    @SignedInStaff() staff: StaffMember,
  ): Promise<void> {
    this.renderWithdraw(request, response, await this.contactOr404(id, staff), requestId, {}, null);
  }

  @Post(':id/information-requests/:requestId/withdraw')
  @Page(...Roles.mashRecords)
  async withdraw(
    @Req() request: WebRequest,
    @Res() response: Response,
    @Param('id', CanonicalUuidPipe) id: string,
    @Param('requestId', CanonicalUuidPipe) requestId: string,
    @Body() body: unknown,
    @SignedInStaff() staff: StaffMember,
  ): Promise<void> {
    const { form, errors } = await readForm(WithdrawForm, body);
    if (errors) return this.renderWithdraw(request, response, await this.contactOr404(id, staff), requestId, { reason: form.reason }, errors, 400);
    const withdrawn = await this.flash.outcome(request, () => this.requests.withdraw(requestId, staff, form.reason), (view) => `Request to ${recipientOf(view)} withdrawn`);
    // The request names its contact; the address only says where the form was.
    response.redirect(303, `/contacts/${withdrawn?.contactId ?? id}`);
  }

  @Post(':id/ready-for-decision')
  @Page(...Roles.mashRecords)
  async readyForDecision(@Req() request: WebRequest, @Res() response: Response, @Param('id', CanonicalUuidPipe) id: string, @SignedInStaff() staff: StaffMember): Promise<void> {
    await this.flash.outcome(request, () => this.desk.readyForDecision(id, staff), 'The contact is ready for a decision');
    response.redirect(303, `/contacts/${id}`);
  }

  @Get(':id/decision')
  @Page(...Roles.mashRecords)
  async decisionForm(@Req() request: WebRequest, @Res() response: Response, @Param('id', CanonicalUuidPipe) id: string, @SignedInStaff() staff: StaffMember): Promise<void> {
    this.renderDecision(request, response, await this.contactOr404(id, staff), {}, null);
  }

  @Post(':id/decision')
  @Page(...Roles.mashRecords)
  async recordDecision(@Req() request: WebRequest, @Res() response: Response, @Param('id', CanonicalUuidPipe) id: string, @Body() body: unknown, @SignedInStaff() staff: StaffMember): Promise<void> {
    const { form, errors } = await readForm(DecisionForm, body);
    if (errors) return this.renderDecision(request, response, await this.contactOr404(id, staff), form, errors, 400);
    await this.flash.outcome(request, () => this.desk.recordDecision(id, staff, form), 'Decision recorded: it now waits for a manager to sign it off');
    response.redirect(303, `/contacts/${id}`);
  }

  private async contactOr404(id: string, staff: StaffMember): Promise<ContactDetail> {
    const contact = await this.contacts.get(id, staff);
    if (!contact) throw new NotFoundException();
    return contact;
  }

  /** A form about one contact: its number in the title, errors in the summary and by each field, status 400 when refused. */
  private renderForm(request: WebRequest, response: Response, template: string, title: string, contact: ContactDetail, errors: FormErrors | null, status: number, context: Record<string, unknown>): void {
    this.views.render(request, response, template, { title, contactId: contact.id, number: contact.number, errors: errors?.list, fieldErrors: errors?.byField ?? {}, ...context }, status);
  }

  private renderRag(request: WebRequest, response: Response, contact: ContactDetail, values: { rag?: Rag; reason?: string }, errors: FormErrors | null, status = 200): void {
    this.renderForm(request, response, 'rag.njk', `${contact.rag ? 'Change' : 'Set'} the RAG for contact ${contact.number}`, contact, errors, status, { current: contact.rag, values });
  }

  private async renderInformationRequest(request: WebRequest, response: Response, contact: ContactDetail, values: Partial<InformationRequestForm>, errors: FormErrors | null, status = 200): Promise<void> {
    const connected = await this.partners.connectedOrganisations();
    this.renderForm(request, response, 'information-request.njk', `Request information for contact ${contact.number}`, contact, errors, status, {
      values,
      rag: contact.rag,
      connected: connected.map((entry) => ({ organisation: entry.organisation, description: `${sentence(entry.agency)}: ${entry.systems.join(', ')}` })),
      agencies: AGENCIES.map((agency) => ({ value: agency, text: sentence(agency), checked: values.agency === agency })),
      codeHints: ORGANISATION_CODE_HINTS.map((hint) => ({ agency: sentence(hint.agency), name: hint.name, example: hint.example })),
    });
  }

  private renderWithdraw(request: WebRequest, response: Response, contact: ContactDetail, requestId: string, values: { reason?: string }, errors: FormErrors | null, status = 200): void {
    const asked = contact.informationRequests.find((entry) => entry.id === requestId);
    if (!asked) throw new NotFoundException();
    this.renderForm(request, response, 'withdraw-request.njk', `Withdraw a request for contact ${contact.number}`, contact, errors, status, {
      values,
      asked: informationRequestEntry(asked, new Date()),
    });
  }

  private renderDecision(request: WebRequest, response: Response, contact: ContactDetail, values: Partial<DecisionForm>, errors: FormErrors | null, status = 200): void {
    this.renderForm(request, response, 'decision.njk', `Record a decision for contact ${contact.number}`, contact, errors, status, {
      values,
      rag: contact.rag,
      outcomes: CONTACT_OUTCOMES.map((outcome) => ({ value: outcome, text: OUTCOME_WORDS[outcome].text, hint: { text: OUTCOME_WORDS[outcome].hint }, checked: values.outcome === outcome })),
      primaryNeeds: [
        { value: '', text: 'Choose the primary need' },
        ...Object.entries(PRIMARY_NEED_WORDS).map(([code, text]) => ({ value: code, text, selected: values.primaryNeed === code })),
      ],
      levels: LEVELS_OF_NEED.map((level) => ({ value: String(level.value), text: level.text, hint: { text: level.hint }, checked: values.levelOfNeed === level.value })),
    });
  }
}
