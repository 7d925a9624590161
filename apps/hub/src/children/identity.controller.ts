import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CanonicalUuidPipe } from '#platform';
import { CurrentStaff } from '../access/access.guard.js';
import { Allow, Roles } from '../access/access-policy.js';
import type { StaffMember } from '../access/staff.js';
import { IdentityDesk } from './identity-desk.js';
import { ListPossibleMatchesQuery, MergeView, PossibleMatchPage, PossibleMatchView } from './identity.dto.js';

@ApiTags('identity')
@Controller('api')
export class IdentityController {
  constructor(private readonly identity: IdentityDesk) {}

  @Get('identity/possible-matches')
  @Allow(...Roles.mashRecords)
  @ApiOkResponse({ type: PossibleMatchPage, description: 'Children who may be one, open first' })
  list(@Query() query: ListPossibleMatchesQuery, @CurrentStaff() staff: StaffMember): Promise<PossibleMatchPage> {
    return this.identity.list(query, staff);
  }

  @Post('identity/possible-matches/:id/link')
  @HttpCode(200)
  @Allow(...Roles.mashRecords)
  @ApiOkResponse({ type: MergeView, description: "The same child: the newer record's contacts and shares now belong to the older" })
  @ApiNotFoundResponse({ description: 'No possible match with that id' })
  @ApiConflictResponse({ description: 'Already decided, different NHS numbers, a child already merged, or both children with an open contact' })
  link(@Param('id', CanonicalUuidPipe) id: string, @CurrentStaff() staff: StaffMember): Promise<MergeView> {
    return this.identity.link(id, staff);
  }

  @Post('identity/possible-matches/:id/keep-apart')
  @HttpCode(200)
  @Allow(...Roles.mashRecords)
  @ApiOkResponse({ type: PossibleMatchView, description: 'Two children: recorded, and the pair leaves the open list' })
  @ApiNotFoundResponse({ description: 'No possible match with that id' })
  @ApiConflictResponse({ description: 'Already decided' })
  keepApart(@Param('id', CanonicalUuidPipe) id: string, @CurrentStaff() staff: StaffMember): Promise<PossibleMatchView> {
    return this.identity.keepApart(id, staff);
  }

  @Post('children/:id/unmerge')
  @HttpCode(200)
  @Allow(...Roles.childUnmerge)
  @ApiOkResponse({ type: MergeView, description: 'The merge undone: what it moved is back with the merged child' })
  @ApiNotFoundResponse({ description: 'No child with that id' })
  @ApiConflictResponse({ description: 'The child is not merged into another' })
  unmerge(@Param('id', CanonicalUuidPipe) id: string, @CurrentStaff() staff: StaffMember): Promise<MergeView> {
    return this.identity.unmerge(id, staff);
  }
}
