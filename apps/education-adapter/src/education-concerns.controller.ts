import { BadRequestException, Body, Controller, Headers } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentPartnerSystem, PartnerSubmissions, SubmissionRoute, senderOf, type PartnerSystem, type SubmissionResult } from '#adapter-kit';
import { isVirtualSchoolCode, type FieldError } from '#contracts';
import { validationProblem } from '#platform';
import { EducationConcernDto } from './education-concern.dto.js';
import { toCanonical } from './education-mapping.js';

/**
 * Who the concern says is sending must be who the credential is: a school
 * under its own URN, a virtual school under its council's ONS code.
 */
export function senderProblems(concern: EducationConcernDto, organisation: string): FieldError[] {
  const virtualSchool = isVirtualSchoolCode(organisation);
  if (concern.raisedBy === 'SCHOOL' && virtualSchool) {
    return [{ path: 'raisedBy', message: `raisedBy must be VIRTUAL_SCHOOL: this credential is the virtual school of ${organisation}` }];
  }
  if (concern.raisedBy === 'VIRTUAL_SCHOOL' && !virtualSchool) {
    return [{ path: 'raisedBy', message: `raisedBy must be SCHOOL: this credential is the school with URN ${organisation}` }];
  }
  if (concern.raisedBy === 'SCHOOL' && concern.schoolUrn !== organisation) {
    return [{ path: 'schoolUrn', message: `schoolUrn must be ${organisation}, the URN of the school this credential belongs to` }];
  }
  return [];
}

@ApiTags('notifications')
@Controller('notifications')
export class EducationConcernsController {
  constructor(private readonly submissions: PartnerSubmissions) {}

  @SubmissionRoute({
    reference: 'concern reference',
    organisation: 'school or virtual school',
    system: "the school's system",
    badRequest: "Every invalid field, with its path (including a sender that is not the credential's school or virtual school); nothing was queued",
  })
  submit(
    @Body() concern: EducationConcernDto,
    @CurrentPartnerSystem() partner: PartnerSystem,
    @Headers('x-correlation-id') correlationId?: string,
  ): Promise<SubmissionResult> {
    const problems = senderProblems(concern, partner.organisation);
    if (problems.length) throw new BadRequestException(validationProblem(problems));
    return this.submissions.submit(
      concern.concernReference,
      concern,
      (ids) => toCanonical(concern, ids),
      senderOf(partner),
      { correlationId },
    );
  }
}
