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
import { toCanonical } from './housing-mapping.js';
import { HousingNoticeDto } from './housing-notice.dto.js';

class SubmissionAccepted {
  @ApiProperty({ format: 'uuid', description: "The same for the same case reference from the same council, every time" })
  notificationId!: string;
  @ApiProperty({ format: 'uuid', description: 'Quote this when asking the MASH about this notice' })
  correlationId!: string;
  @ApiProperty({ enum: ['queued', 'accepted'] })
  status!: string;
  @ApiProperty({ description: 'True when this case reference had already been received' })
  duplicate!: boolean;
}

@ApiTags('notifications')
@Controller('notifications')
export class HousingNoticesController {
  constructor(private readonly submissions: PartnerSubmissions) {}

  @Post()
  @PartnerRoute()
  @HttpCode(202)
  @ApiHeader({ name: 'X-Correlation-Id', required: false, description: "A UUID from the housing system to follow this notice" })
  @ApiAcceptedResponse({ type: SubmissionAccepted, description: 'Safe with the hub: it will not be lost' })
  @ApiBadRequestResponse({ description: 'Every invalid field, with its path; nothing was queued' })
  @ApiConflictResponse({ description: 'This case reference was already received from this council, and queued, with different content' })
  @ApiServiceUnavailableResponse({ description: 'Another request for this case reference is still being queued; send it again shortly' })
  submit(
    @Body() notice: HousingNoticeDto,
    @CurrentPartnerSystem() partner: PartnerSystem,
    @Headers('x-correlation-id') correlationId?: string,
  ): Promise<SubmissionResult> {
    return this.submissions.submit(
      notice.caseReference,
      notice,
      (ids) => toCanonical(notice, ids),
      { organisation: partner.organisation, submittedBy: { credentialId: partner.credentialId, system: partner.system } },
      { correlationId },
    );
  }
}
