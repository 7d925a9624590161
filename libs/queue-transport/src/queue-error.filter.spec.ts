import { lastValueFrom } from 'rxjs';
import { PermanentMessageError } from './errors.js';
import { QueueErrorFilter } from './queue-error.filter.js';

describe('QueueErrorFilter', () => {
  it('hands back the original error, not Nest\'s generic "Internal server error"', async () => {
    const error = new PermanentMessageError('payload is invalid');
    const outcome = lastValueFrom(new QueueErrorFilter().catch(error));
    await expect(outcome).rejects.toBe(error);
  });

  it('catches everything (no exception types listed)', () => {
    expect(Reflect.getMetadata('__filterCatchExceptions__', QueueErrorFilter)).toEqual([]);
  });
});
