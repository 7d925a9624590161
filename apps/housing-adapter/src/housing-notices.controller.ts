import { Body, Controller, Headers } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentPartnerSystem, PartnerSubmissions, SubmissionRoute, senderOf, type PartnerSystem, type SubmissionResult } from '#adapter-kit';
import { toCanonical } from './housing-mapping.js';
import { HousingNoticeDto } from './housing-notice.dto.js';

@ApiTags('notifications')
@Controller('notifications')
export class HousingNoticesController {
  constructor(private readonly submissions: PartnerSubmissions) {}

  @SubmissionRoute({ reference: 'case reference', organisation: 'council', system: 'the housing system' })
  submit(
    @Body() notice: HousingNoticeDto,
    @CurrentPartnerSystem() partner: PartnerSystem,
    @Headers('x-correlation-id') correlationId?: string,
  ): Promise<SubmissionResult> {
    return this.submissions.submit(notice.caseReference, notice, (ids) => toCanonical(notice, ids), senderOf(partner), { correlationId });
  }
}
