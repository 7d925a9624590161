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
import { probationReference, toCanonical } from './probation-mapping.js';
import { ProbationNoticeDto } from './probation-notice.dto.js';

class SubmissionAccepted {
  @ApiProperty({ format: 'uuid', description: 'The same for the same CRN and notice number from the same region, every time' })
  notificationId!: string;
  @ApiProperty({ format: 'uuid', description: 'Quote this when asking the MASH about this notice' })
  correlationId!: string;
  @ApiProperty({ enum: ['queued', 'accepted'] })
  status!: string;
  @ApiProperty({ description: 'True when this CRN and notice number had already been received' })
  duplicate!: boolean;
}

@ApiTags('notifications')
@Controller('notifications')
export class ProbationNoticesController {
  constructor(private readonly submissions: PartnerSubmissions) {}

  @Post()
  @PartnerRoute()
  @HttpCode(202)
  @ApiHeader({ name: 'X-Correlation-Id', required: false, description: "A UUID from the probation system to follow this notice" })
  @ApiAcceptedResponse({ type: SubmissionAccepted, description: 'Safe with the hub: it will not be lost' })
  @ApiBadRequestResponse({ description: 'Every invalid field, with its path; nothing was queued' })
  @ApiConflictResponse({ description: 'This CRN and notice number were already received from this region, and queued, with different content' })
  @ApiServiceUnavailableResponse({ description: 'Another request for this notice is still being queued; send it again shortly' })
  submit(
    @Body() notice: ProbationNoticeDto,
    @CurrentPartnerSystem() partner: PartnerSystem,
    @Headers('x-correlation-id') correlationId?: string,
  ): Promise<SubmissionResult> {
    return this.submissions.submit(
      probationReference(notice),
      notice,
      (ids) => toCanonical(notice, ids),
      { organisation: partner.organisation, submittedBy: { credentialId: partner.credentialId, system: partner.system } },
      { correlationId },
    );
  }
}
