import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import type { Request, Response } from 'express';
import { CanonicalMappingError } from '#adapter-kit';
import { RateLimitedException, isRedisUnavailable } from '#platform';
import { FHIR_JSON } from './fhir-systems.js';

/** One problem with a submission, at its FHIRPath. */
export function issue(expression: string, text: string, code: OperationOutcomeIssue['code'] = 'invalid'): OperationOutcomeIssue {
  return { severity: 'error', code, details: { text }, expression: [expression] };
}

export function operationOutcome(issues: OperationOutcomeIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: issues };
}

/** A submission refused for the problems listed, each at its path: nothing was queued. */
export class FhirRefusal extends HttpException {
  constructor(
    readonly issues: OperationOutcomeIssue[],
    status: number = HttpStatus.BAD_REQUEST,
  ) {
    super(operationOutcome(issues), status);
  }
}

/** The FHIR issue type for an HTTP status the kit or Nest answered with. */
const ISSUE_CODES: Record<number, OperationOutcomeIssue['code']> = {
  400: 'invalid',
  401: 'login',
  403: 'forbidden',
  404: 'not-found',
  409: 'duplicate',
  413: 'too-costly',
  415: 'not-supported',
  429: 'throttled',
  503: 'transient',
};

/** The field errors of the platform's validation problem (e.g. unstorable text), as FHIRPath issues. */
function fieldIssues(body: unknown, root: string): OperationOutcomeIssue[] | undefined {
  const errors = (body as { errors?: Array<{ path: string; message: string }> } | undefined)?.errors;
  if (!Array.isArray(errors)) return undefined;
  return errors.map((e) => issue(e.path ? `${root}.${e.path}` : root, e.message));
}

/**
 * Every answer under /fhir that is not a success is an OperationOutcome in
 * application/fhir+json, with the status the kit chose: the guard's 401 and
 * 403, a 409 for a reused Communication identifier, a 503 when Redis does not
 * answer, and a 400 for a body that is not JSON (which fails before any route).
 * Other routes (the kit's receipts and health) keep the kit's own answers.
 */
@Catch()
export class OperationOutcomeFilter implements ExceptionFilter {
  private readonly logger = new Logger(OperationOutcomeFilter.name);

  constructor(private readonly kitHandling?: ExceptionFilter) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const underFhir = host.getType() === 'http' && /^\/fhir(\/|$)/.test(host.switchToHttp().getRequest<Request>().path);
    if (this.kitHandling && !underFhir) return this.kitHandling.catch(error, host);
    const response = host.switchToHttp().getResponse<Response>();
    const request = host.switchToHttp().getRequest<Request>();
    // Problems not found at a particular element are placed at the body's root resource, or the resource type searched or acted on.
    const root = /^\/fhir\/(Communication|Task)(\/|$)/.exec(request.path)?.[1] ?? 'Bundle';
    const submission = request.method === 'POST' && /^\/fhir(\/Communication)?\/?$/.test(request.path);
    const { status, outcome } = this.outcomeOf(error, root, submission);
    if (error instanceof RateLimitedException) response.setHeader('Retry-After', String(error.retryAfterSeconds));
    else if (status === 503) response.setHeader('Retry-After', '30');
    response.status(status).type(FHIR_JSON).send(JSON.stringify(outcome));
  }

  private outcomeOf(error: unknown, root: string, submission: boolean): { status: number; outcome: OperationOutcome } {
    if (error instanceof FhirRefusal) return { status: error.getStatus(), outcome: operationOutcome(error.issues) };
    if (error instanceof CanonicalMappingError) {
      return {
        status: 400,
        outcome: operationOutcome(error.invalid.errors.map((e) => ({ ...issue(root, `canonical.${e.path}: ${e.message}`, 'business-rule') }))),
      };
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const body = error.getResponse();
      const issues = fieldIssues(body, root);
      if (issues) return { status, outcome: operationOutcome(issues) };
      const message = typeof body === 'string' ? body : String((body as { message?: unknown }).message ?? error.message);
      return { status, outcome: operationOutcome([issue(root, message, ISSUE_CODES[status] ?? 'processing')]) };
    }
    if (isRedisUnavailable(error)) {
      return {
        status: 503,
        outcome: operationOutcome([
          issue(
            root,
            submission
              ? 'The MASH message store is not answering, so this request was not completed. Nothing has been lost: send it again later (sending the same Communication identifier again is safe).'
              : 'The MASH message store is not answering, so this request was not completed. Nothing has been lost: ask again later.',
            'transient',
          ),
        ]),
      };
    }
    // Not the sender's doing: logged with its stack (no request content), answered as a bare 500.
    this.logger.error((error as Error)?.stack ?? String(error));
    return { status: 500, outcome: operationOutcome([issue(root, 'The MASH could not process this request; nothing was queued.', 'exception')]) };
  }
}
