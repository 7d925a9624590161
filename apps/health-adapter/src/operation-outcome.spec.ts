import { ConflictException, ForbiddenException, type ArgumentsHost } from '@nestjs/common';
import { RateLimitedException } from '#platform';
import { FhirRefusal, OperationOutcomeFilter, issue } from './operation-outcome.js';

/** A fake HTTP host that records what the filter answered. */
function host(path: string, method = 'POST') {
  const sent: { status?: number; type?: string; body?: unknown; headers: Record<string, string> } = { headers: {} };
  const response = {
    status(code: number) {
      sent.status = code;
      return response;
    },
    type(type: string) {
      sent.type = type;
      return response;
    },
    send(body: string) {
      sent.body = JSON.parse(body);
      return response;
    },
    setHeader(name: string, value: string) {
      sent.headers[name] = value;
    },
  };
  const argumentsHost = {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => ({ path, method }), getResponse: () => response }),
  } as unknown as ArgumentsHost;
  return { argumentsHost, sent };
}

describe('OperationOutcomeFilter', () => {
  it('answers a refusal under /fhir as an OperationOutcome in application/fhir+json', () => {
    const { argumentsHost, sent } = host('/fhir');
    new OperationOutcomeFilter().catch(new FhirRefusal([issue('Bundle.entry[1].resource.birthDate', 'bad date')]), argumentsHost);
    expect(sent).toMatchObject({ status: 400, type: 'application/fhir+json' });
    expect(sent.body).toEqual({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'invalid', details: { text: 'bad date' }, expression: ['Bundle.entry[1].resource.birthDate'] }],
    });
  });

  it("keeps the kit's statuses, with FHIR issue codes, at the body's root", () => {
    const forbidden = host('/fhir/Communication');
    new OperationOutcomeFilter().catch(new ForbiddenException('not yours'), forbidden.argumentsHost);
    expect(forbidden.sent).toMatchObject({ status: 403, body: { issue: [{ code: 'forbidden', expression: ['Communication'], details: { text: 'not yours' } }] } });
    const conflict = host('/fhir');
    new OperationOutcomeFilter().catch(new ConflictException('used'), conflict.argumentsHost);
    expect(conflict.sent).toMatchObject({ status: 409, body: { issue: [{ code: 'duplicate', expression: ['Bundle'] }] } });
    const throttled = host('/fhir');
    new OperationOutcomeFilter().catch(new RateLimitedException({ name: 'partner', limit: 1, windowSeconds: 60 }, 42), throttled.argumentsHost);
    expect(throttled.sent).toMatchObject({ status: 429, headers: { 'Retry-After': '42' }, body: { issue: [{ code: 'throttled' }] } });
  });

  it('places problems with the inbox searches and $acknowledge at the resource type, and tells a reader to ask again, not resend', () => {
    const search = host('/fhir/Task', 'GET');
    new OperationOutcomeFilter().catch(new ForbiddenException('not yours'), search.argumentsHost);
    expect(search.sent).toMatchObject({ status: 403, body: { issue: [{ expression: ['Task'] }] } });
    const acknowledgement = host('/fhir/Communication/5f0c3a9e-2b1d-4c7e-9a8f-1e2d3c4b5a69/$acknowledge');
    new OperationOutcomeFilter().catch(new Error('Connection is closed.'), acknowledgement.argumentsHost);
    expect(acknowledgement.sent).toMatchObject({
      status: 503,
      headers: { 'Retry-After': '30' },
      body: { issue: [{ code: 'transient', expression: ['Communication'], details: { text: expect.stringMatching(/ask again later\.$/) } }] },
    });
    const submission = host('/fhir');
    new OperationOutcomeFilter().catch(new Error('Connection is closed.'), submission.argumentsHost);
    expect(submission.sent).toMatchObject({ body: { issue: [{ details: { text: expect.stringMatching(/same Communication identifier again is safe/) } }] } });
  });

  it("leaves other routes to the kit's own handling", () => {
    const { argumentsHost, sent } = host('/notifications/x');
    const handed: unknown[][] = [];
    const kit = { catch: (...args: unknown[]) => void handed.push(args) };
    const error = new ForbiddenException('x');
    new OperationOutcomeFilter(kit).catch(error, argumentsHost);
    expect(handed).toEqual([[error, argumentsHost]]);
    expect(sent.status).toBeUndefined();
  });
});
