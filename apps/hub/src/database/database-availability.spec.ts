import { classifyDatabaseError } from './database-availability.js';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('classifying database errors', () => {
  it('calls an unreachable or unavailable database unavailable', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '08006', '08001', '57P01', '57P02', '57P03', '53300']) {
      expect(`${code}: ${classifyDatabaseError(withCode(code))}`).toBe(`${code}: unavailable`);
    }
    expect(classifyDatabaseError(new Error('Connection terminated unexpectedly'))).toBe('unavailable');
    expect(classifyDatabaseError(new Error('timeout exceeded when trying to connect'))).toBe('unavailable');
    // TypeORM's QueryFailedError keeps the driver's error.
    expect(classifyDatabaseError(Object.assign(new Error('query failed'), { driverError: { code: '57P01' } }))).toBe('unavailable');
  });

  it('calls bad data permanent, and a concurrent writer’s conflict transient', () => {
    for (const code of ['22P02', '22001', '23502', '23503', '23514', '42601', '42P01']) {
      expect(`${code}: ${classifyDatabaseError(withCode(code))}`).toBe(`${code}: permanent`);
    }
    for (const code of ['23505', '40001', '40P01']) expect(classifyDatabaseError(withCode(code))).toBe('transient');
  });

  it('leaves anything else to the transport', () => {
    expect(classifyDatabaseError(new Error('something else'))).toBeUndefined();
    expect(classifyDatabaseError(withCode('XX000'))).toBeUndefined();
    expect(classifyDatabaseError('a string')).toBeUndefined();
  });
});
