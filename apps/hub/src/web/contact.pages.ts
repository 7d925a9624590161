import { Body, ConflictException, Controller, Get, Inject, NotFoundException, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { Response } from 'express';
import { CanonicalUuidPipe } from '#platform';
import type { Rag, SafeguardingNotification } from '#contracts';
import { Roles } from '../access/access-policy.js';
import type { StaffMember } from '../access/staff.js';
import { ContactQueries } from '../contacts/contact-queries.js';
import { CONTACT_STATUS_FILTERS, ListContactsQuery, RAG_FILTERS, REPEAT_FILTERS, type ContactDetail } from '../contacts/contact.dto.js';
import { ScreeningDesk } from '../screening/screening-desk.js';
import { ContactSharing } from '../sharing/contact-sharing.js';
import { RagForm, readForm, type FormErrors } from './forms.js';
import { Page, PageGuard, SignedInStaff, type WebRequest } from './page-policy.js';
import { PageErrorsFilter } from './page-errors.filter.js';
import { Views } from './views.js';
import { WebSessions, type WebSession } from './web-sessions.js';

const words = (code: string) => code.replaceAll('_', ' ');
const sentence = (code: string) => words(code).replace(/^./, (first) => first.toUpperCase());

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
    private readonly sessions: WebSessions,
    private readonly views: Views,
  ) {}

  @Get()
  @Page(...Roles.mashRecords)
  async queue(@Req() request: WebRequest, @Res() response: Response, @Query() raw: Record<string, unknown>, @SignedInStaff() staff: StaffMember): Promise<void> {
    // The queue opens on the contacts waiting in the MASH; "all" shows every status.
    const given = { status: 'open', ...raw };
    const query = plainToInstance(ListContactsQuery, { ...given, status: given.status === 'all' ? undefined : given.status, rag: raw.rag || undefined, repeat: raw.repeat || undefined, pageSize: 25 });
    const problems = await validate(query, { whitelist: true });
    const fieldErrors: Record<string, string> = {};
    for (const problem of problems) fieldErrors[problem.property] = `Choose a ${problem.property} from the list`;
    const page = problems.length ? { items: [], next: null, total: 0, totalIsExact: true } : await this.contacts.list(query, staff);
    const option = (value: string, text: string, selected: unknown) => ({ value, text, selected: value === (selected ?? '') });
    const nextQuery = new URLSearchParams({ ...(given.status && { status: String(given.status) }), ...(query.rag && { rag: query.rag }), ...(query.repeat && { repeat: query.repeat }), ...(page.next && { after: page.next }) });
    this.views.render(
      request,
      response,
      'queue.njk',
      {
        title: 'Contacts',
        rows: page.items.map((item) => ({ ...item, timeLeft: item.status === 'closed' ? null : this.views.timeLeft(item.decisionDueAt, item.rag ?? item.senderUrgency) })),
        total: page.total,
        totalIsExact: page.totalIsExact,
        nextHref: page.next ? `/contacts?${nextQuery.toString()}` : null,
        statusOptions: [option('all', 'Any status', given.status), ...CONTACT_STATUS_FILTERS.map((status) => option(status, status === 'open' ? 'Open (waiting in the MASH)' : sentence(status), given.status))],
        ragOptions: [option('', 'Any RAG', raw.rag), ...RAG_FILTERS.map((rag) => option(rag, rag === 'unrated' ? 'Not rated' : sentence(rag), raw.rag))],
        repeatOptions: [
          option('', 'Any', raw.repeat),
          ...REPEAT_FILTERS.map((repeat) => option(repeat, repeat === 'any' ? 'Either flag' : repeat === 're_referral' ? 'Re-referrals' : 'Low-level repeats', raw.repeat)),
        ],
        errors: problems.length ? Object.entries(fieldErrors).map(([field, text]) => ({ text, href: `#${field}` })) : undefined,
        fieldErrors,
      },
      problems.length ? 400 : 200,
    );
  }

  @Get(':id')
  @Page(...Roles.mashRecords)
  async contact(@Req() request: WebRequest, @Res() response: Response, @Param('id', CanonicalUuidPipe) id: string, @SignedInStaff() staff: StaffMember): Promise<void> {
    const contact = await this.contacts.get(id, staff);
    if (!contact) throw new NotFoundException();
    const shares = (await this.sharing.view(id, staff)).shares;
    const flash = await this.takeFlash(request);
    this.views.render(request, response, 'contact.njk', {
      title: `Contact ${contact.number}`,
      contact,
      flash,
      timeLeft: ['closed', 'with_allocated_worker'].includes(contact.status) ? null : this.views.timeLeft(contact.decisionDueAt, contact.rag ?? contact.senderUrgency),
      notifications: contact.notifications.map(notificationView),
      shares,
      timeline: contact.timeline.map(timelineEntry),
    });
  }

  @Post(':id/screening')
  @Page(...Roles.mashRecords)
  async startScreening(@Req() request: WebRequest, @Res() response: Response, @Param('id', CanonicalUuidPipe) id: string, @SignedInStaff() staff: StaffMember): Promise<void> {
    await this.outcome(request, () => this.desk.startScreening(id, staff), 'You are screening this contact');
    response.redirect(303, `/contacts/${id}`);
  }

  @Get(':id/rag')
  @Page(...Roles.mashRecords)
  async ragForm(@Req() request: WebRequest, @Res() response: Response, @Param('id', CanonicalUuidPipe) id: string, @SignedInStaff() staff: StaffMember): Promise<void> {
    const contact = await this.contacts.get(id, staff);
    if (!contact) throw new NotFoundException();
    this.renderRag(request, response, contact, {}, null);
  }

  @Post(':id/rag')
  @Page(...Roles.mashRecords)
  async setRag(@Req() request: WebRequest, @Res() response: Response, @Param('id', CanonicalUuidPipe) id: string, @Body() body: unknown, @SignedInStaff() staff: StaffMember): Promise<void> {
    const { form, errors } = await readForm(RagForm, body, { rag: 'rag', reason: 'reason' });
    if (errors) {
      const contact = await this.contacts.get(id, staff);
      if (!contact) throw new NotFoundException();
      return this.renderRag(request, response, contact, { rag: form.rag, reason: form.reason }, errors, 400);
    }
    await this.outcome(request, () => this.desk.setRag(id, staff, form.rag, form.reason), `RAG set to ${form.rag}`);
    response.redirect(303, `/contacts/${id}`);
  }

  private renderRag(request: WebRequest, response: Response, contact: ContactDetail, values: { rag?: Rag; reason?: string }, errors: FormErrors | null, status = 200): void {
    this.views.render(
      request,
      response,
      'rag.njk',
      {
        title: `${contact.rag ? 'Change' : 'Set'} the RAG for contact ${contact.number}`,
        contactId: contact.id,
        number: contact.number,
        current: contact.rag,
        values,
        errors: errors?.list,
        fieldErrors: errors?.byField ?? {},
      },
      status,
    );
  }

  /**
   * Runs a screening act; a refusal the lifecycle gives (409, e.g. "start screening the contact
   * first") becomes the message on the contact page rather than an error page.
   */
  private async outcome(request: WebRequest, act: () => Promise<unknown>, success: string): Promise<void> {
    let flash = { text: success, success: true };
    try {
      await act();
    } catch (error) {
      if (!(error instanceof ConflictException)) throw error;
      flash = { text: error.message, success: false };
    }
    const { id, session } = request.web!;
    session.flash = flash;
    await this.sessions.save(id, session);
  }

  private async takeFlash(request: WebRequest): Promise<WebSession['flash']> {
    const { id, session } = request.web!;
    const flash = session.flash;
    if (flash) {
      delete session.flash;
      await this.sessions.save(id, session);
    }
    return flash;
  }
}
