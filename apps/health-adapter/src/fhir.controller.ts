import { Body, Controller, Get, Header, Headers, HttpCode, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Bundle, CapabilityStatement, OperationOutcome } from '@medplum/fhirtypes';
import { CurrentPartnerSystem, PartnerRoute, PartnerSubmissions, Public, senderOf, type PartnerSystem, type SubmissionResult } from '#adapter-kit';
import { capabilityStatement } from './capability-statement.js';
import { readContainedReferral, readReferral, type HealthReferral, type ReadResult } from './fhir-referral.js';
import { FHIR_JSON, SUBMISSION_RECEIPT_EXTENSION } from './fhir-systems.js';
import { referralReference, toCanonical } from './health-mapping.js';
import { FhirRefusal, issue } from './operation-outcome.js';

const OUTCOME_SCHEMA = { type: 'object', description: 'A FHIR OperationOutcome: each issue names its problem and its FHIRPath expression' };

@ApiTags('fhir')
@Controller('fhir')
export class FhirController {
  constructor(private readonly submissions: PartnerSubmissions) {}

  @Post()
  @PartnerRoute()
  @HttpCode(202)
  @Header('Content-Type', FHIR_JSON)
  @ApiOperation({ summary: 'Send a safeguarding referral as a FHIR R4 transaction Bundle (see the adapter README for a complete example)' })
  @ApiConsumes(FHIR_JSON, 'application/json')
  @ApiProduces(FHIR_JSON)
  @ApiBody({ schema: { type: 'object', description: 'A FHIR R4 Bundle of type transaction', example: { resourceType: 'Bundle', type: 'transaction', entry: [] } } })
  @ApiHeader({ name: 'X-Correlation-Id', required: false, description: "A UUID from the sender's system to follow this referral" })
  @ApiAcceptedResponse({
    schema: { type: 'object', description: 'A transaction-response Bundle: Bundle.identifier is the notification id; the Communication entry\'s outcome carries the receipt' },
    description: 'Safe with the hub: it will not be lost',
  })
  @ApiBadRequestResponse({ schema: OUTCOME_SCHEMA, description: 'Every problem, with its FHIRPath; nothing was queued' })
  @ApiConflictResponse({ schema: OUTCOME_SCHEMA, description: 'This Communication identifier was already received from this organisation, and queued, with different content' })
  @ApiServiceUnavailableResponse({ schema: OUTCOME_SCHEMA, description: 'The hub\'s message store is not answering, or another request for this identifier is being queued; send it again shortly' })
  submit(
    @Body() body: unknown,
    @CurrentPartnerSystem() partner: PartnerSystem,
    @Headers('x-correlation-id') correlationId?: string,
  ): Promise<Bundle> {
    return this.accept(readReferral(body), partner, correlationId).then((result) => transactionResponse(body as Bundle, result));
  }

  @Post('Communication')
  @PartnerRoute()
  @HttpCode(202)
  @Header('Content-Type', FHIR_JSON)
  @ApiOperation({ summary: 'Send the same referral as one Communication with its Patient, Consent and other resources contained (referred to as #id)' })
  @ApiConsumes(FHIR_JSON, 'application/json')
  @ApiProduces(FHIR_JSON)
  @ApiBody({ schema: { type: 'object', description: 'A FHIR R4 Communication with contained resources', example: { resourceType: 'Communication', status: 'completed', contained: [] } } })
  @ApiHeader({ name: 'X-Correlation-Id', required: false, description: "A UUID from the sender's system to follow this referral" })
  @ApiAcceptedResponse({
    schema: { type: 'object', description: 'An OperationOutcome whose extension carries the receipt (notificationId, correlationId, status, duplicate)' },
    description: 'Safe with the hub: it will not be lost',
  })
  @ApiBadRequestResponse({ schema: OUTCOME_SCHEMA, description: 'Every problem, with its FHIRPath; nothing was queued' })
  @ApiConflictResponse({ schema: OUTCOME_SCHEMA, description: 'This Communication identifier was already received from this organisation, and queued, with different content' })
  @ApiServiceUnavailableResponse({ schema: OUTCOME_SCHEMA, description: 'The hub\'s message store is not answering, or another request for this identifier is being queued; send it again shortly' })
  submitCommunication(
    @Body() body: unknown,
    @CurrentPartnerSystem() partner: PartnerSystem,
    @Headers('x-correlation-id') correlationId?: string,
  ): Promise<OperationOutcome> {
    return this.accept(readContainedReferral(body), partner, correlationId).then(receiptOutcome);
  }

  private async accept(read: ReadResult, partner: PartnerSystem, correlationId: string | undefined): Promise<SubmissionResult> {
    if (!read.ok) throw new FhirRefusal(read.issues);
    const referral: HealthReferral = read.referral;
    if (referral.sender && referral.sender.odsCode !== partner.organisation) {
      throw new FhirRefusal(
        [issue(read.senderAt ?? 'Communication.sender', `The sender ${referral.sender.odsCode} is not the organisation this credential was issued to (${partner.organisation})`, 'forbidden')],
        403,
      );
    }
    // The reference is the identifier as `<system>|<value>`: a value is unique only within its system.
    // The referral as read is the content compared with an earlier one: a resend with fresh urn:uuid fullUrls, or the same
    // referral as a Bundle and as a Communication, is the same referral.
    return this.submissions.submit(
      referralReference(referral.identifier),
      referral,
      (ids) => toCanonical(referral, ids),
      senderOf(partner),
      { correlationId },
    );
  }

  @Get('metadata')
  @Public()
  @Header('Content-Type', FHIR_JSON)
  @ApiProduces(FHIR_JSON)
  @ApiOkResponse({ schema: { type: 'object', description: 'The FHIR CapabilityStatement of this endpoint' } })
  metadata(): CapabilityStatement {
    return capabilityStatement();
  }
}

/** The receipt (as the kit gives it) as an informational OperationOutcome. */
function receiptOutcome(result: SubmissionResult): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    extension: [
      {
        url: SUBMISSION_RECEIPT_EXTENSION,
        extension: [
          { url: 'notificationId', valueUuid: `urn:uuid:${result.notificationId}` },
          { url: 'correlationId', valueUuid: `urn:uuid:${result.correlationId}` },
          { url: 'status', valueCode: result.status },
          { url: 'duplicate', valueBoolean: result.duplicate },
        ],
      },
    ],
    issue: [
      {
        severity: 'information',
        code: 'informational',
        details: {
          text: result.duplicate
            ? 'This Communication identifier was already received: nothing new was queued.'
            : 'Safe with the MASH: it will reach the screeners.',
        },
      },
    ],
  };
}

/** The answer to a transaction: one response per entry; the receipt on the Communication's. */
function transactionResponse(bundle: Bundle, result: SubmissionResult): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'transaction-response',
    identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${result.notificationId}` },
    entry: (bundle.entry ?? []).map((entry) => ({
      response: {
        status: '202 Accepted',
        ...(entry.resource?.resourceType === 'Communication' && { location: `notifications/${result.notificationId}`, outcome: receiptOutcome(result) }),
      },
    })),
  };
}
