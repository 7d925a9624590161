import { Body, ConflictException, Controller, Get, Header, HttpCode, NotFoundException, Param, Post, Put, Query, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiConsumes,
  ApiExcludeEndpoint,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiPropertyOptional,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Bundle, Communication, OperationOutcomeIssue, Parameters, Resource, Task } from '@medplum/fhirtypes';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import type { Request } from 'express';
import { INBOX_PAGE_MAX, INFORMATION_ANSWER_MAX_LENGTH, InvalidMessageError, MessagePatterns, ToCanonicalUuid, isUuidText, validateMessage, type NotificationAccepted } from '#contracts';
import {
  CurrentPartnerSystem,
  InboxDelivery,
  InformationAnswers,
  PartnerRoute,
  ReceivedRequests,
  UnknownInboxCursorError,
  type PartnerSystem,
  type StoredInboxMessage,
} from '#adapter-kit';
import { baseDefinitionIssues, valueSetCodes } from './fhir-definitions.js';
import { COMMUNICATION_KINDS, TASK_KINDS, acceptanceCommunication, requestTask, searchset, sharedCommunication } from './fhir-inbox.js';
import { referralIdentifier } from './health-mapping.js';
import { FHIR_JSON } from './fhir-systems.js';
import { FhirRefusal, issue } from './operation-outcome.js';

export const FHIR_INBOX_PAGE_DEFAULT = 50;

/** The search parameters of the inbox searches; any other is refused rather than silently ignored. */
export class FhirInboxSearch {
  @ApiPropertyOptional({ minimum: 1, maximum: INBOX_PAGE_MAX, default: FHIR_INBOX_PAGE_DEFAULT, description: 'The most entries on a page' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: '_count must be a whole number' })
  @Min(1, { message: '_count must be at least 1' })
  @Max(INBOX_PAGE_MAX, { message: `_count must be at most ${INBOX_PAGE_MAX}` })
  _count: number = FHIR_INBOX_PAGE_DEFAULT;

  @ApiPropertyOptional({ format: 'uuid', description: "Where the page starts: taken from the previous page's next link, not made up" })
  @IsOptional()
  @ToCanonicalUuid()
  @IsUUID('loose', { message: "_cursor must be the one in the previous page's next link (a message id)" })
  _cursor?: string;
}

const OUTCOME_SCHEMA = { type: 'object', description: 'A FHIR OperationOutcome: each issue names its problem and where (a search parameter or Communication.id)' };

/**
 * The organisation's inbox in FHIR terms: what the MASH tells it as
 * Communications, what it will ask of it as Tasks, each acknowledged with
 * $acknowledge. The kit's inbox underneath: only the caller's organisation's
 * messages, another's not found exactly like an unknown id, and the first
 * listing and the acknowledgement reported to the hub's audit trail.
 */
@ApiTags('fhir')
@Controller('fhir')
export class FhirInboxController {
  constructor(
    private readonly delivery: InboxDelivery,
    private readonly requests: ReceivedRequests,
    private readonly answers: InformationAnswers,
  ) {}

  @Get('Communication')
  @PartnerRoute()
  @Header('Content-Type', FHIR_JSON)
  @ApiOperation({
    summary:
      "What the MASH has told the caller's organisation and it has not yet acknowledged (referrals accepted, outcomes of its referrals, information passed on), oldest first, as a searchset Bundle of Communications",
  })
  @ApiProduces(FHIR_JSON)
  @ApiOkResponse({ schema: { type: 'object', description: "A searchset Bundle; follow its link 'next' for more" } })
  @ApiBadRequestResponse({ schema: OUTCOME_SCHEMA, description: 'An unknown search parameter, a _count outside 1 to 200, or a _cursor not from a next link' })
  @ApiServiceUnavailableResponse({ schema: OUTCOME_SCHEMA, description: 'The MASH message store is not answering; search again later' })
  async searchCommunications(@Query() query: Record<string, unknown>, @CurrentPartnerSystem() partner: PartnerSystem, @Req() request: Request): Promise<Bundle> {
    const search = await readInboxSearch(query);
    const page = await this.list(partner, search, COMMUNICATION_KINDS);
    const resources = page.items.map((message) => this.communication(message, partner.organisation));
    return this.bundle('Communication', resources, search, page.next, request);
  }

  @Get('Task')
  @PartnerRoute()
  @Header('Content-Type', FHIR_JSON)
  @ApiOperation({
    summary:
      "What the MASH asks of the caller's organisation and it has not yet answered or acknowledged (information requests), oldest first, as a searchset Bundle of Tasks: requested, or cancelled when the MASH withdrew it",
  })
  @ApiProduces(FHIR_JSON)
  @ApiOkResponse({ schema: { type: 'object', description: "A searchset Bundle; follow its link 'next' for more" } })
  @ApiBadRequestResponse({ schema: OUTCOME_SCHEMA, description: 'An unknown search parameter, a _count outside 1 to 200, or a _cursor not from a next link' })
  @ApiServiceUnavailableResponse({ schema: OUTCOME_SCHEMA, description: 'The MASH message store is not answering; search again later' })
  async searchTasks(@Query() query: Record<string, unknown>, @CurrentPartnerSystem() partner: PartnerSystem, @Req() request: Request): Promise<Bundle> {
    const search = await readInboxSearch(query);
    const page = await this.list(partner, search, TASK_KINDS);
    const resources = await Promise.all(
      page.items.map(async (message) => {
        const requestId = (message.body as { payload?: Record<string, unknown> }).payload?.['request.id'];
        const received = isUuidText(requestId) ? await this.requests.get(partner.organisation, requestId.toLowerCase()) : null;
        return requestTask(message, partner.organisation, received);
      }),
    );
    return this.bundle('Task', resources, search, page.next, request);
  }

  @Put('Task/:id')
  @PartnerRoute()
  @HttpCode(200)
  @Header('Content-Type', FHIR_JSON)
  @ApiOperation({
    summary:
      'Answer an information request: PUT the Task back with status completed and the answer as its one output valueString (1 to 20000 characters). One answer per Task; the same answer again is recognised as a duplicate',
  })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The Task.id (the information request id)' })
  @ApiConsumes(FHIR_JSON, 'application/json')
  @ApiProduces(FHIR_JSON)
  @ApiOkResponse({ schema: { type: 'object', description: 'The Task as answered; the answer is safe with the hub' } })
  @ApiBadRequestResponse({ schema: OUTCOME_SCHEMA, description: 'Every problem with the Task, at its FHIRPath; nothing was queued' })
  @ApiNotFoundResponse({ schema: OUTCOME_SCHEMA, description: "No such Task in the caller's organisation's inbox (another organisation's is not shown)" })
  @ApiConflictResponse({ schema: OUTCOME_SCHEMA, description: 'The MASH withdrew the request (the Task is cancelled), or it is already answered with a different answer' })
  @ApiServiceUnavailableResponse({ schema: OUTCOME_SCHEMA, description: 'The MASH message store is not answering; send it again later' })
  async answerTask(@Param('id') id: string, @Body() body: unknown, @CurrentPartnerSystem() partner: PartnerSystem): Promise<Task> {
    const { task, answer } = readAnsweredTask(id, body);
    try {
      await this.answers.answer(partner, id.toLowerCase(), answer);
    } catch (error) {
      if (error instanceof NotFoundException) throw new FhirRefusal([issue('Task.id', `No Task with id ${id.toLowerCase()} in your inbox`, 'not-found')], 404);
      if (error instanceof ConflictException) throw new FhirRefusal([issue('Task.status', error.message, 'conflict')], 409);
      throw error;
    }
    return task;
  }

  @Post('Task/:id/$acknowledge')
  @PartnerRoute()
  @HttpCode(200)
  @Header('Content-Type', FHIR_JSON)
  @ApiOperation({ summary: 'Acknowledge a Task (a cancelled one, or one answered elsewhere): it is no longer listed. Acknowledging it again gives the same answer' })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The Task.id (the information request id)' })
  @ApiProduces(FHIR_JSON)
  @ApiOkResponse({ schema: { type: 'object', description: 'Parameters with acknowledgedAt: when it was first acknowledged' } })
  @ApiBadRequestResponse({ schema: OUTCOME_SCHEMA, description: 'The id is not a UUID' })
  @ApiNotFoundResponse({ schema: OUTCOME_SCHEMA, description: "No such Task in the caller's organisation's inbox (another organisation's is not shown)" })
  async acknowledgeTask(@Param('id') id: string, @CurrentPartnerSystem() partner: PartnerSystem): Promise<Parameters> {
    if (!isUuidText(id)) throw new FhirRefusal([issue('Task.id', 'The id must be a UUID: the id of a Task from your inbox')]);
    const received = await this.requests.get(partner.organisation, id.toLowerCase());
    const acknowledged = received?.messageId ? await this.delivery.acknowledge(partner, received.messageId, TASK_KINDS) : null;
    if (!acknowledged) throw new FhirRefusal([issue('Task.id', `No Task with id ${id.toLowerCase()} in your inbox`, 'not-found')], 404);
    return { resourceType: 'Parameters', parameter: [{ name: 'acknowledgedAt', valueInstant: acknowledged.acknowledgedAt }] };
  }

  /** The same, for clients that percent-encode the $. */
  @Post('Task/:id/%24acknowledge')
  @PartnerRoute()
  @HttpCode(200)
  @Header('Content-Type', FHIR_JSON)
  @ApiExcludeEndpoint()
  acknowledgeTaskEncoded(@Param('id') id: string, @CurrentPartnerSystem() partner: PartnerSystem): Promise<Parameters> {
    return this.acknowledgeTask(id, partner);
  }

  @Post('Communication/:id/$acknowledge')
  @PartnerRoute()
  @HttpCode(200)
  @Header('Content-Type', FHIR_JSON)
  @ApiOperation({
    summary: 'Acknowledge a Communication from the inbox: it is no longer listed. Acknowledging it again gives the same answer and records nothing more',
  })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The Communication.id (also its identifier value)' })
  @ApiProduces(FHIR_JSON)
  @ApiOkResponse({ schema: { type: 'object', description: 'Parameters with acknowledgedAt: when it was first acknowledged' } })
  @ApiBadRequestResponse({ schema: OUTCOME_SCHEMA, description: 'The id is not a UUID' })
  @ApiNotFoundResponse({ schema: OUTCOME_SCHEMA, description: "No such Communication in the caller's organisation's inbox (another organisation's is not shown)" })
  @ApiServiceUnavailableResponse({ schema: OUTCOME_SCHEMA, description: 'The MASH message store is not answering; acknowledge it again later' })
  async acknowledgeCommunication(@Param('id') id: string, @CurrentPartnerSystem() partner: PartnerSystem): Promise<Parameters> {
    if (!isUuidText(id)) throw new FhirRefusal([issue('Communication.id', "The id must be a UUID: the id of a Communication from your inbox")]);
    const messageId = id.toLowerCase();
    const acknowledged = await this.delivery.acknowledge(partner, messageId, COMMUNICATION_KINDS);
    if (!acknowledged) throw new FhirRefusal([issue('Communication.id', `No Communication with id ${messageId} in your inbox`, 'not-found')], 404);
    return { resourceType: 'Parameters', parameter: [{ name: 'acknowledgedAt', valueInstant: acknowledged.acknowledgedAt }] };
  }

  /** The same, for clients that percent-encode the $ (equivalent in a URL path, but routes match the path as sent). */
  @Post('Communication/:id/%24acknowledge')
  @PartnerRoute()
  @HttpCode(200)
  @Header('Content-Type', FHIR_JSON)
  @ApiExcludeEndpoint()
  acknowledgeCommunicationEncoded(@Param('id') id: string, @CurrentPartnerSystem() partner: PartnerSystem): Promise<Parameters> {
    return this.acknowledgeCommunication(id, partner);
  }

  private async list(partner: PartnerSystem, search: FhirInboxSearch, kinds: readonly string[]) {
    try {
      return await this.delivery.list(partner, { after: search._cursor, limit: search._count, kinds });
    } catch (error) {
      if (error instanceof UnknownInboxCursorError) {
        throw new FhirRefusal([issue('_cursor', `_cursor must be the one in the previous page's next link: there is no message ${search._cursor} in your inbox`)]);
      }
      throw error;
    }
  }

  /** The partner's reference is its Communication.identifier, as `<system>|<value>`. */
  private communication(message: StoredInboxMessage, organisation: string): Communication {
    if (message.kind === MessagePatterns.notificationAccepted) {
      const accepted = message.body as unknown as NotificationAccepted;
      return acceptanceCommunication(message, organisation, referralIdentifier(accepted.partnerReference));
    }
    // Only the kinds listed are asked for, so any other is a kind listed without a mapping here.
    if (!COMMUNICATION_KINDS.includes(message.kind)) throw new Error(`no FHIR mapping for inbox message kind ${message.kind}`);
    return sharedCommunication(message, organisation, referralIdentifier);
  }

  private bundle(type: string, resources: Resource[], search: FhirInboxSearch, next: string | null, request: Request): Bundle {
    // Absolute, as Bundle links and fullUrls should be: the address the caller used (behind a proxy, per TRUST_PROXY).
    const base = `${request.protocol}://${request.get('host')}/fhir`;
    const url = (cursor?: string) => `${base}/${type}?_count=${search._count}${cursor ? `&_cursor=${cursor}` : ''}`;
    return searchset(resources, { self: url(search._cursor), next: next && url(next) }, base);
  }
}

const TASK_BINDINGS: Array<[string, string]> = [
  ['intent', 'http://hl7.org/fhir/ValueSet/task-intent'],
  ['priority', 'http://hl7.org/fhir/ValueSet/request-priority'],
];

/**
 * The answer in a Task PUT back: valid R4, the path's id, status completed and one output with a
 * valueString. Every problem at once, each at its FHIRPath.
 */
export function readAnsweredTask(id: string, body: unknown): { task: Task; answer: string } {
  if (!isUuidText(id)) throw new FhirRefusal([issue('Task.id', 'The id must be a UUID: the id of a Task from your inbox')]);
  const task = body as Task;
  if (!task || typeof task !== 'object' || task.resourceType !== 'Task') throw new FhirRefusal([issue('Task', 'The body must be a FHIR Task resource (resourceType Task)')]);
  const problems: OperationOutcomeIssue[] = baseDefinitionIssues(task).map((found) =>
    issue(found.expression?.[0] ?? 'Task', found.details?.text ?? found.diagnostics ?? 'does not conform to the FHIR R4 Task definition'),
  );
  // The base definitions leave required bindings unchecked: the coded elements of a Task are checked here.
  for (const [element, valueSet] of TASK_BINDINGS) {
    const value = (task as unknown as Record<string, unknown>)[element];
    if (value === undefined) continue;
    const codes = valueSetCodes(valueSet);
    if (!codes.includes(value as string)) problems.push(issue(`Task.${element}`, `Task.${element} must be one of ${codes.join(', ')} (required binding to ${valueSet})`, 'code-invalid'));
  }
  if (task.id?.toLowerCase() !== id.toLowerCase()) problems.push(issue('Task.id', `Task.id must be the id in the address (${id.toLowerCase()})`));
  if (task.status !== 'completed') problems.push(issue('Task.status', 'To answer the request, set Task.status to completed'));
  const outputs = task.output ?? [];
  const answer = outputs.length === 1 ? outputs[0].valueString : undefined;
  if (outputs.length !== 1 || typeof answer !== 'string') {
    problems.push(issue('Task.output', 'Task.output must hold the answer: exactly one output, with valueString'));
  } else if (!/\S/.test(answer) || answer.length > INFORMATION_ANSWER_MAX_LENGTH) {
    problems.push(issue('Task.output[0].valueString', `The answer must be 1 to ${INFORMATION_ANSWER_MAX_LENGTH} characters, and say something`));
  }
  if (problems.length) throw new FhirRefusal(problems);
  return { task, answer: answer! };
}

const SEARCH_PARAMETERS = ['_count', '_cursor'];

/** The search as asked for, or a refusal naming every problem at its parameter. */
export async function readInboxSearch(query: Record<string, unknown>): Promise<FhirInboxSearch> {
  // Refused rather than ignored: a filter the caller believes applied (status=..., _since=...) would silently not be.
  const unknown = Object.keys(query)
    .filter((name) => !SEARCH_PARAMETERS.includes(name))
    .map((name) => issue(name, `${name} is not a search parameter of the inbox: use ${SEARCH_PARAMETERS.join(' and ')}`, 'not-supported'));
  const known = Object.fromEntries(Object.entries(query).filter(([name]) => SEARCH_PARAMETERS.includes(name)));
  try {
    const search = await validateMessage(FhirInboxSearch, known, 'search');
    if (unknown.length) throw new FhirRefusal(unknown);
    return search;
  } catch (error) {
    if (error instanceof InvalidMessageError) throw new FhirRefusal([...unknown, ...error.errors.map((e) => issue(e.path || 'search', e.message))]);
    throw error;
  }
}
