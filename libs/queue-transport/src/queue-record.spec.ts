import { randomUUID } from 'node:crypto';
import { QueueRecord } from './queue-record.js';

describe('QueueRecord', () => {
  it('carries the payload and the caller-given job id', () => {
    const jobId = randomUUID();
    const record = new QueueRecord({ notificationId: jobId }, { jobId });
    expect(record.data).toEqual({ notificationId: jobId });
    expect(record.options.jobId).toBe(jobId);
  });

  it('refuses ids BullMQ would refuse, before any I/O', () => {
    expect(() => new QueueRecord({}, { jobId: '' })).toThrow(/non-empty string jobId/);
    expect(() => new QueueRecord({}, { jobId: 'police:123' })).toThrow(/must not contain ':'/);
    expect(() => new QueueRecord({}, { jobId: '42' })).toThrow(/must not be an integer/);
    expect(() => new QueueRecord({}, undefined as unknown as { jobId: string })).toThrow(/non-empty string jobId/);
  });
});
