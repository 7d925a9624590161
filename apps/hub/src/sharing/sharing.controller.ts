import { Body, Controller, Get, HttpCode, Param, Post, UnprocessableEntityException } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { CanonicalUuidPipe } from '#platform';
import { CurrentStaff } from '../access/access.guard.js';
import { Allow, Roles } from '../access/access-policy.js';
import type { StaffMember } from '../access/staff.js';
import { ContactSharing } from './contact-sharing.js';
import {
  ConsentDecisionInput,
  ConsentOverrideInput,
  ConsentView,
  ContactSharingView,
  OutcomeFeedbackInput,
  OwnerAgreementInput,
  OwnerAgreementView,
  SharingPolicyView,
  ShareRequestInput,
  ShareView,
} from './sharing.dto.js';

@ApiTags('sharing')
@Controller('api')
export class SharingController {
  constructor(private readonly sharing: ContactSharing) {}

  @Get('sharing/policy')
  @Allow(...Roles.sharingPolicy)
  @ApiOkResponse({ type: SharingPolicyView, description: 'The minimisation policy in force: what each message type may carry to each agency' })
  policy(): SharingPolicyView {
    return this.sharing.policyView();
  }

  @Get('contacts/:id/sharing')
  @Allow(...Roles.mashRecords)
  @ApiOkResponse({ type: ContactSharingView, description: 'Consent with its history, owners’ agreements and every share decided, allowed or refused' })
  @ApiNotFoundResponse({ description: 'No contact with that id' })
  view(@Param('id', CanonicalUuidPipe) id: string, @CurrentStaff() staff: StaffMember): Promise<ContactSharingView> {
    return this.sharing.view(id, staff);
  }

  @Post('contacts/:id/consent')
  @Allow(...Roles.mashRecords)
  @ApiCreatedResponse({ type: ConsentView, description: 'The consent decision is recorded; the consent that now stands, with its history' })
  @ApiNotFoundResponse({ description: 'No contact with that id' })
  recordConsent(@Param('id', CanonicalUuidPipe) id: string, @Body() input: ConsentDecisionInput, @CurrentStaff() staff: StaffMember): Promise<ConsentView> {
    return this.sharing.recordConsent(id, staff, input);
  }

  @Post('contacts/:id/consent/override')
  @Allow(...Roles.consentOverride)
  @ApiCreatedResponse({ type: ConsentView, description: 'The refusal is overridden with the justification; shares that need consent may now be allowed' })
  @ApiConflictResponse({ description: 'The standing consent is not a refusal, or is already overridden' })
  @ApiNotFoundResponse({ description: 'No contact with that id' })
  overrideConsent(@Param('id', CanonicalUuidPipe) id: string, @Body() input: ConsentOverrideInput, @CurrentStaff() staff: StaffMember): Promise<ConsentView> {
    return this.sharing.overrideConsent(id, staff, input.justification);
  }

  @Post('contacts/:id/owner-agreements')
  @Allow(...Roles.mashRecords)
  @ApiCreatedResponse({ type: OwnerAgreementView, description: "The owning agency's agreement to its information going to another agency" })
  @ApiNotFoundResponse({ description: 'No contact with that id' })
  recordOwnerAgreement(@Param('id', CanonicalUuidPipe) id: string, @Body() input: OwnerAgreementInput, @CurrentStaff() staff: StaffMember): Promise<OwnerAgreementView> {
    return this.sharing.recordOwnerAgreement(id, staff, input);
  }

  @Post('contacts/:id/shares')
  @Allow(...Roles.mashRecords)
  @ApiCreatedResponse({ type: ShareView, description: 'Allowed: the minimised information is on its way to the organisation’s inbox' })
  @ApiUnprocessableEntityResponse({ description: 'Refused, and recorded: `share.reasons` says why and what would allow it' })
  @ApiNotFoundResponse({ description: 'No contact with that id' })
  async requestShare(@Param('id', CanonicalUuidPipe) id: string, @Body() input: ShareRequestInput, @CurrentStaff() staff: StaffMember): Promise<ShareView> {
    const share = await this.sharing.requestShare(id, staff, input);
    if (share.decision === 'refused') {
      throw new UnprocessableEntityException({
        statusCode: 422,
        error: 'Share refused',
        message: share.reasons.map((reason) => `${reason.explanation} ${reason.remedy}`).join(' '),
        share,
      });
    }
    return share;
  }

  @Post('contacts/:id/feedback')
  @HttpCode(201)
  @Allow(...Roles.mashRecords)
  @ApiCreatedResponse({ type: [ShareView], description: 'One share per referring notification: the outcome, as far as the sharing rules allow, to the organisation that sent it' })
  @ApiNotFoundResponse({ description: 'No contact with that id' })
  feedback(@Param('id', CanonicalUuidPipe) id: string, @Body() input: OutcomeFeedbackInput, @CurrentStaff() staff: StaffMember): Promise<ShareView[]> {
    return this.sharing.tellReferrers(id, staff, input.outcome);
  }
}
