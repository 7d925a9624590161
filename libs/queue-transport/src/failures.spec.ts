import { BadRequestException, NotFoundException } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { UnrecoverableError } from 'bullmq';
import { PermanentMessageError } from './errors.js';
import { isPermanentError, isPermanentFailure, toJobFailure } from './failures.js';

describe('failure classification', () => {
  it('turns a PermanentMessageError into an UnrecoverableError with the same message', () => {
    const failure = toJobFailure(new PermanentMessageError('notification is invalid: childId is missing', [{ path: 'childId' }]));
    expect(failure).toBeInstanceOf(UnrecoverableError);
    expect(failure.message).toBe('notification is invalid: childId is missing');
  });

  it("turns a ValidationPipe's BadRequestException into an UnrecoverableError with the same message", () => {
    const failure = toJobFailure(new BadRequestException('The request has 2 invalid fields'));
    expect(failure).toBeInstanceOf(UnrecoverableError);
    expect(failure.message).toBe('The request has 2 invalid fields');
  });

  it('passes an UnrecoverableError through as it is', () => {
    const error = new UnrecoverableError('cannot ever work');
    expect(toJobFailure(error)).toBe(error);
  });

  it('rethrows anything else unchanged, so BullMQ retries it', () => {
    const plain = new Error('connection refused');
    const http = new NotFoundException('contact not found');
    const rpc = new RpcException('downstream busy');
    expect(toJobFailure(plain)).toBe(plain);
    expect(toJobFailure(http)).toBe(http);
    expect(toJobFailure(rpc)).toBe(rpc);
    for (const error of [plain, http, rpc]) expect(isPermanentError(error)).toBe(false);
  });

  it('wraps a non-Error (what Nest produces without QueueErrorFilter) as a transient Error keeping its message', () => {
    const failure = toJobFailure({ status: 'error', message: 'Internal server error' });
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(UnrecoverableError);
    expect(failure.message).toBe('Internal server error');
    expect(toJobFailure('boom').message).toMatch(/non-Error value: boom/);
  });

  it('recognises an UnrecoverableError by name too (another copy of bullmq)', () => {
    const foreign = Object.assign(new Error('bad'), { name: 'UnrecoverableError' });
    expect(isPermanentError(foreign)).toBe(true);
    expect(toJobFailure(foreign)).toBeInstanceOf(UnrecoverableError);
  });
});

describe('isPermanentFailure (reading a failed job)', () => {
  const stackOf = (error: Error) => error.stack as string;

  it('is true when the last failure was an UnrecoverableError with the recorded reason', () => {
    const last = new UnrecoverableError('payload is invalid');
    expect(isPermanentFailure({ failedReason: 'payload is invalid', stacktrace: [stackOf(new Error('first')), stackOf(last)] })).toBe(true);
  });

  it('is false when the last failure was transient, even if an earlier one was permanent', () => {
    const stacktrace = [stackOf(new UnrecoverableError('payload is invalid')), stackOf(new Error('database down'))];
    expect(isPermanentFailure({ failedReason: 'database down', stacktrace })).toBe(false);
  });

  it('is false when the job failed for a reason with no stack (e.g. it stalled too often)', () => {
    const stacktrace = [stackOf(new UnrecoverableError('payload is invalid'))];
    expect(isPermanentFailure({ failedReason: 'job stalled more than allowable limit', stacktrace })).toBe(false);
    expect(isPermanentFailure({ failedReason: 'anything', stacktrace: [] })).toBe(false);
  });

  it('does not mistake a reason that merely starts the same way', () => {
    const stacktrace = [stackOf(new UnrecoverableError('payload is invalid: nhsNumber'))];
    expect(isPermanentFailure({ failedReason: 'payload is invalid', stacktrace })).toBe(false);
  });
});
