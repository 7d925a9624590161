import { Controller, Get, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { Response } from 'express';
import { CanonicalUuidPipe } from '#platform';
import { Roles } from '../access/access-policy.js';
import type { StaffMember } from '../access/staff.js';
import { IdentityDesk } from '../children/identity-desk.js';
import { ListPossibleMatchesQuery, type IdentityChild } from '../children/identity.dto.js';
import { PageFlash } from './page-flash.js';
import { Page, PageGuard, SignedInStaff, type WebRequest } from './page-policy.js';
import { PageErrorsFilter } from './page-errors.filter.js';
import { Views } from './views.js';

const PAGE_SIZE = 25;

/** A child as the review shows it: what tells two records of one child from two children. */
function childView(child: IdentityChild) {
  return {
    ...child,
    name: `${child.givenName} ${child.familyName}`,
    postcode: child.postcode ? child.postcode.replace(/^(.+)(\d[A-Z]{2})$/, '$1 $2') : null,
  };
}

/**
 * The review of possible matches: pairs of children intake could not call one child or two. A
 * screener links them (one child: the newer record's contacts move to the older) or keeps them
 * apart, through the identity desk, which refuses what it must (different NHS numbers, both with
 * an open contact); a refusal is shown on the pair's page.
 */
@ApiExcludeController()
@Controller('possible-matches')
@UseGuards(PageGuard)
@UseFilters(PageErrorsFilter)
export class IdentityPages {
  constructor(
    private readonly identity: IdentityDesk,
    private readonly flash: PageFlash,
    private readonly views: Views,
  ) {}

  @Get()
  @Page(...Roles.mashRecords)
  async list(@Req() request: WebRequest, @Res() response: Response, @Query('page') pageNumber: unknown, @SignedInStaff() staff: StaffMember): Promise<void> {
    const query = plainToInstance(ListPossibleMatchesQuery, { page: pageNumber ?? 1, pageSize: PAGE_SIZE });
    // A page number out of range is an edited address: the first page rather than an error.
    if ((await validate(query)).length) query.page = 1;
    const found = await this.identity.list(query, staff);
    const flash = await this.flash.take(request);
    this.views.render(request, response, 'possible-matches.njk', {
      title: 'Possible matches',
      flash,
      open: found.open,
      pairs: found.items.map((pair) => ({ ...pair, child: childView(pair.child), otherChild: childView(pair.otherChild) })),
      previousHref: found.page > 1 ? `/possible-matches?page=${found.page - 1}` : null,
      nextHref: found.items.length === found.pageSize ? `/possible-matches?page=${found.page + 1}` : null,
    });
  }

  @Get(':id')
  @Page(...Roles.mashRecords)
  async pair(@Req() request: WebRequest, @Res() response: Response, @Param('id', CanonicalUuidPipe) id: string, @SignedInStaff() staff: StaffMember): Promise<void> {
    const pair = await this.identity.review(id, staff);
    const flash = await this.flash.take(request);
    const [one, other] = [childView(pair.child), childView(pair.otherChild)];
    // Side by side, row by row: where the two records agree and where they differ.
    const rows = [
      { label: 'Name', one: one.name, other: other.name },
      { label: 'Date of birth', one: one.dateOfBirth, other: other.dateOfBirth, date: true },
      ...(one.expectedDateOfDelivery || other.expectedDateOfDelivery
        ? [{ label: 'Expected date of delivery', one: one.expectedDateOfDelivery, other: other.expectedDateOfDelivery, date: true }]
        : []),
      { label: 'NHS number', one: one.nhsNumber, other: other.nhsNumber },
      { label: 'Postcode', one: one.postcode, other: other.postcode },
      { label: 'UPRN (the property)', one: one.uprn, other: other.uprn },
    ].map((row) => ({ ...row, differs: row.one !== row.other }));
    this.views.render(request, response, 'possible-match.njk', { title: 'Possible match', flash, pair, one, other, rows });
  }

  @Post(':id/link')
  @Page(...Roles.mashRecords)
  async link(@Req() request: WebRequest, @Res() response: Response, @Param('id', CanonicalUuidPipe) id: string, @SignedInStaff() staff: StaffMember): Promise<void> {
    const merged = await this.flash.outcome(
      request,
      () => this.identity.link(id, staff),
      (merge) =>
        `Linked as one child. ${merge.movedContactIds.length} contact${merge.movedContactIds.length === 1 ? '' : 's'} moved to the older record${merge.nhsNumberMoved ? ', with the NHS number' : ''}. A manager can undo this.`,
    );
    // Done: back to the list; refused: the pair again, with the reason.
    response.redirect(303, merged ? '/possible-matches' : `/possible-matches/${id}`);
  }

  @Post(':id/keep-apart')
  @Page(...Roles.mashRecords)
  async keepApart(@Req() request: WebRequest, @Res() response: Response, @Param('id', CanonicalUuidPipe) id: string, @SignedInStaff() staff: StaffMember): Promise<void> {
    const kept = await this.flash.outcome(request, () => this.identity.keepApart(id, staff), 'Kept apart: recorded as two different children.');
    response.redirect(303, kept ? '/possible-matches' : `/possible-matches/${id}`);
  }
}
