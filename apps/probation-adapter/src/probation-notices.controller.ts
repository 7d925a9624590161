import { Body, Controller, Headers } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentPartnerSystem, PartnerSubmissions, SubmissionRoute, senderOf, type PartnerSystem, type SubmissionResult } from '#adapter-kit';
import { probationReference, toCanonical } from './probation-mapping.js';
import { ProbationNoticeDto } from './probation-notice.dto.js';

@ApiTags('notifications')
@Controller('notifications')
export class ProbationNoticesController {
  constructor(private readonly submissions: PartnerSubmissions) {}

  @SubmissionRoute({ reference: 'CRN and notice number', organisation: 'region', system: 'the probation system' })
  submit(
    @Body() notice: ProbationNoticeDto,
    @CurrentPartnerSystem() partner: PartnerSystem,
    @Headers('x-correlation-id') correlationId?: string,
  ): Promise<SubmissionResult> {
    return this.submissions.submit(probationReference(notice), notice, (ids) => toCanonical(notice, ids), senderOf(partner), { correlationId });
  }
}
