import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiHeader,
  ApiProperty,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPartnerSystem, PartnerRoute, PartnerSubmissions, type PartnerSystem, type SubmissionResult } from '#adapter-kit';
import { toCanonical } from './police-mapping.js';
import { PoliceNoticeDto } from './police-notice.dto.js';

class SubmissionAccepted {
  @ApiProperty({ format: 'uuid', description: "The same for the same police reference from the same force, every time" })
  notificationId!: string;
  @ApiProperty({ format: 'uuid', description: 'Quote this when asking the MASH about this notice' })
  correlationId!: string;
  @ApiProperty({ enum: ['queued', 'accepted'] })
  status!: string;
  @ApiProperty({ description: 'True when this police reference had already been received' })
  duplicate!: boolean;
}

@ApiTags('notifications')
@Controller('notifications')
export class PoliceNoticesController {
  constructor(private readonly submissions: PartnerSubmissions) {}

  @Post()
  @PartnerRoute()
  @HttpCode(202)
  @ApiHeader({ name: 'X-Correlation-Id', required: false, description: "A UUID from the force's system to follow this notice" })
  @ApiAcceptedResponse({ type: SubmissionAccepted, description: 'Safe with the hub: it will not be lost' })
  @ApiBadRequestResponse({ description: 'Every invalid field, with its path; nothing was queued' })
  @ApiConflictResponse({ description: 'This police reference was already received from this force, and queued, with different content' })
  @ApiServiceUnavailableResponse({ description: 'Another request for this police reference is still being queued; send it again shortly' })
  submit(
    @Body() notice: PoliceNoticeDto,
    @CurrentPartnerSystem() partner: PartnerSystem,
    @Headers('x-correlation-id') correlationId?: string,
  ): Promise<SubmissionResult> {
    return this.submissions.submit(
      notice.policeReference,
      notice,
      (ids) => toCanonical(notice, ids),
      { organisation: partner.organisation, submittedBy: { credentialId: partner.credentialId, system: partner.system } },
      { correlationId },
    );
  }
}
