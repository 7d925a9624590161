import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { CanonicalUuidPipe } from '#platform';
import { CurrentStaff } from '../access/access.guard.js';
import { Allow, Roles } from '../access/access-policy.js';
import type { StaffMember } from '../access/staff.js';
import { InformationRequestInput, InformationRequestsOutcome, InformationRequestView, WithdrawInput } from './information-request.dto.js';
import { InformationRequests } from './information-requests.js';

@ApiTags('information requests')
@Controller('api')
export class InformationRequestsController {
  constructor(private readonly requests: InformationRequests) {}

  @Post('contacts/:id/information-requests')
  @HttpCode(201)
  @Allow(...Roles.mashRecords)
  @ApiCreatedResponse({
    type: InformationRequestsOutcome,
    description: 'At least one request went out: one per recipient, each sent or refused by the sharing decision (with its reasons); the contact awaits the information',
  })
  @ApiUnprocessableEntityResponse({ description: 'The sharing decision refused every request: each is recorded as refused, with its reasons; nothing was sent and the contact is unchanged' })
  @ApiConflictResponse({ description: 'The contact is not in screening, awaiting information or awaiting a decision; or its RAG is not set' })
  @ApiNotFoundResponse({ description: 'No contact with that id' })
  ask(@Param('id', CanonicalUuidPipe) id: string, @Body() input: InformationRequestInput, @CurrentStaff() staff: StaffMember): Promise<InformationRequestsOutcome> {
    return this.requests.ask(id, staff, input);
  }

  @Get('contacts/:id/information-requests')
  @Allow(...Roles.mashRecords)
  @ApiOkResponse({ type: [InformationRequestView], description: 'The contact’s information requests, newest first, with their answers' })
  @ApiNotFoundResponse({ description: 'No contact with that id' })
  list(@Param('id', CanonicalUuidPipe) id: string, @CurrentStaff() staff: StaffMember): Promise<InformationRequestView[]> {
    return this.requests.list(id, staff);
  }

  @Post('information-requests/:id/withdraw')
  @HttpCode(201)
  @Allow(...Roles.mashRecords)
  @ApiCreatedResponse({ type: InformationRequestView, description: 'Withdrawn: the organisation is told, and its answer is no longer taken' })
  @ApiConflictResponse({ description: 'The request is not awaiting its answer (answered, withdrawn, or refused and never sent)' })
  @ApiNotFoundResponse({ description: 'No information request with that id' })
  withdraw(@Param('id', CanonicalUuidPipe) id: string, @Body() input: WithdrawInput, @CurrentStaff() staff: StaffMember): Promise<InformationRequestView> {
    return this.requests.withdraw(id, staff, input.reason);
  }
}
