import { Body, Controller, Param, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { CanonicalUuidPipe } from '#platform';
import { CurrentStaff } from '../access/access.guard.js';
import { Allow, Roles } from '../access/access-policy.js';
import type { StaffMember } from '../access/staff.js';
import { ContactStateView, DecisionInput, RagInput, ReturnDecisionInput } from './screening.dto.js';
import { ScreeningDesk } from './screening-desk.js';

const ILLEGAL = 'The contact is not in a state that allows this; the message says which state it is in and when it would be allowed';

@ApiTags('screening')
@Controller('api/contacts/:id')
export class ScreeningController {
  constructor(private readonly desk: ScreeningDesk) {}

  @Post('screening')
  @Allow(...Roles.mashRecords)
  @ApiCreatedResponse({ type: ContactStateView, description: 'Screening started: the contact is in screening, with you as its screener' })
  @ApiConflictResponse({ description: ILLEGAL })
  @ApiNotFoundResponse({ description: 'No contact with that id' })
  start(@Param('id', CanonicalUuidPipe) id: string, @CurrentStaff() staff: StaffMember): Promise<ContactStateView> {
    return this.desk.startScreening(id, staff);
  }

  @Post('rag')
  @Allow(...Roles.mashRecords)
  @ApiCreatedResponse({ type: ContactStateView, description: 'The RAG and its reason are recorded; the decision is due by the new RAG' })
  @ApiConflictResponse({ description: ILLEGAL })
  @ApiNotFoundResponse({ description: 'No contact with that id' })
  rag(@Param('id', CanonicalUuidPipe) id: string, @Body() input: RagInput, @CurrentStaff() staff: StaffMember): Promise<ContactStateView> {
    return this.desk.setRag(id, staff, input.rag, input.reason);
  }

  @Post('ready-for-decision')
  @Allow(...Roles.mashRecords)
  @ApiCreatedResponse({ type: ContactStateView, description: 'Screened, with no information requested: awaiting a decision' })
  @ApiConflictResponse({ description: ILLEGAL })
  @ApiNotFoundResponse({ description: 'No contact with that id' })
  readyForDecision(@Param('id', CanonicalUuidPipe) id: string, @CurrentStaff() staff: StaffMember): Promise<ContactStateView> {
    return this.desk.readyForDecision(id, staff);
  }

  @Post('decision')
  @Allow(...Roles.mashRecords)
  @ApiCreatedResponse({ type: ContactStateView, description: 'The decision is recorded and awaits a manager’s sign-off' })
  @ApiConflictResponse({ description: `${ILLEGAL}; or the RAG is not set yet` })
  @ApiNotFoundResponse({ description: 'No contact with that id' })
  decide(@Param('id', CanonicalUuidPipe) id: string, @Body() input: DecisionInput, @CurrentStaff() staff: StaffMember): Promise<ContactStateView> {
    return this.desk.recordDecision(id, staff, input);
  }

  @Post('decision/sign-off')
  @Allow(...Roles.signOff)
  @ApiCreatedResponse({ type: ContactStateView, description: 'Signed off: the contact is closed and each referrer is told the outcome, as far as the sharing rules allow' })
  @ApiConflictResponse({ description: `${ILLEGAL}; or you made the decision (another manager must sign it off)` })
  @ApiNotFoundResponse({ description: 'No contact with that id' })
  signOff(@Param('id', CanonicalUuidPipe) id: string, @CurrentStaff() staff: StaffMember): Promise<ContactStateView> {
    return this.desk.signOff(id, staff);
  }

  @Post('decision/return')
  @Allow(...Roles.signOff)
  @ApiCreatedResponse({ type: ContactStateView, description: 'Returned to the screener with the reason: awaiting a decision again' })
  @ApiConflictResponse({ description: ILLEGAL })
  @ApiNotFoundResponse({ description: 'No contact with that id' })
  returnDecision(@Param('id', CanonicalUuidPipe) id: string, @Body() input: ReturnDecisionInput, @CurrentStaff() staff: StaffMember): Promise<ContactStateView> {
    return this.desk.returnDecision(id, staff, input.reason);
  }
}
