import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * Hands a handler's original error back to the transport. Nest's default RPC
 * filter would replace it with `{ status: 'error', message: 'Internal server
 * error' }`, losing the difference between a permanent and a transient failure
 * (and the reason an operator needs in the dead-letter store).
 */
@Catch()
export class QueueErrorFilter implements RpcExceptionFilter {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
