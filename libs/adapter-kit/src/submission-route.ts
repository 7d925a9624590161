import { HttpCode, Post, applyDecorators } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiHeader,
  ApiProperty,
  ApiServiceUnavailableResponse,
} from '@nestjs/swagger';
import { PartnerRoute } from './partner-access.js';

/** The 202 body of a submission (a SubmissionResult), as the OpenAPI description shows it. */
export class SubmissionAcceptedView {
  @ApiProperty({ format: 'uuid', description: 'The same for the same reference from the same organisation, every time' })
  notificationId!: string;
  @ApiProperty({ format: 'uuid', description: 'Quote this when asking the MASH about this submission' })
  correlationId!: string;
  @ApiProperty({ enum: ['queued', 'accepted'] })
  status!: string;
  @ApiProperty({ description: 'True when this reference had already been received' })
  duplicate!: boolean;
}

/** How an adapter's documentation names its partner's things, e.g. "police reference", "force", "the force's system". */
export interface SubmissionWords {
  reference: string;
  organisation: string;
  system: string;
  /** What a 400 covers beyond the fields, where the adapter checks more. */
  badRequest?: string;
}

/**
 * A partner's POST of a notice in its own JSON format: a partner route answering 202 once the
 * notice is safe with the hub, with the kit's answers documented in the adapter's words.
 */
export function SubmissionRoute(words: SubmissionWords): MethodDecorator {
  return applyDecorators(
    Post(),
    PartnerRoute(),
    HttpCode(202),
    ApiHeader({ name: 'X-Correlation-Id', required: false, description: `A UUID from ${words.system} to follow this submission` }),
    ApiAcceptedResponse({ type: SubmissionAcceptedView, description: 'Safe with the hub: it will not be lost' }),
    ApiBadRequestResponse({ description: words.badRequest ?? 'Every invalid field, with its path; nothing was queued' }),
    ApiConflictResponse({ description: `This ${words.reference} was already received from this ${words.organisation}, and queued, with different content` }),
    ApiServiceUnavailableResponse({ description: `Another request for this ${words.reference} is still being queued; send it again shortly` }),
  );
}
