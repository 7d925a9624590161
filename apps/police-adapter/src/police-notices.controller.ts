import { Body, Controller, Headers } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentPartnerSystem, PartnerSubmissions, SubmissionRoute, senderOf, type PartnerSystem, type SubmissionResult } from '#adapter-kit';
import { toCanonical } from './police-mapping.js';
import { PoliceNoticeDto } from './police-notice.dto.js';

@ApiTags('notifications')
@Controller('notifications')
export class PoliceNoticesController {
  constructor(private readonly submissions: PartnerSubmissions) {}

  @SubmissionRoute({ reference: 'police reference', organisation: 'force', system: "the force's system" })
  submit(
    @Body() notice: PoliceNoticeDto,
    @CurrentPartnerSystem() partner: PartnerSystem,
    @Headers('x-correlation-id') correlationId?: string,
  ): Promise<SubmissionResult> {
    return this.submissions.submit(notice.policeReference, notice, (ids) => toCanonical(notice, ids), senderOf(partner), { correlationId });
  }
}
