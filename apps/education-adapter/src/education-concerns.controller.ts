import { BadRequestException, Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
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
import { isVirtualSchoolCode, type FieldError } from '#contracts';
import { validationProblem } from '#platform';
import { EducationConcernDto } from './education-concern.dto.js';
import { toCanonical } from './education-mapping.js';

class SubmissionAccepted {
  @ApiProperty({ format: 'uuid', description: 'The same for the same concern reference from the same school or virtual school, every time' })
  notificationId!: string;
  @ApiProperty({ format: 'uuid', description: 'Quote this when asking the MASH about this concern' })
  correlationId!: string;
  @ApiProperty({ enum: ['queued', 'accepted'] })
  status!: string;
  @ApiProperty({ description: 'True when this concern reference had already been received' })
  duplicate!: boolean;
}

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

  @Post()
  @PartnerRoute()
  @HttpCode(202)
  @ApiHeader({ name: 'X-Correlation-Id', required: false, description: "A UUID from the school's system to follow this concern" })
  @ApiAcceptedResponse({ type: SubmissionAccepted, description: 'Safe with the hub: it will not be lost' })
  @ApiBadRequestResponse({ description: "Every invalid field, with its path (including a sender that is not the credential's school or virtual school); nothing was queued" })
  @ApiConflictResponse({ description: 'This concern reference was already received from this school or virtual school, and queued, with different content' })
  @ApiServiceUnavailableResponse({ description: 'Another request for this concern reference is still being queued; send it again shortly' })
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
      { organisation: partner.organisation, submittedBy: { credentialId: partner.credentialId, system: partner.system } },
      { correlationId },
    );
  }
}
