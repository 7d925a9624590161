import { BaseRpcContext } from '@nestjs/microservices';
import type { Job } from 'bullmq';

/** The `@Ctx()` of a queue message: the BullMQ job being processed. */
export class QueueContext extends BaseRpcContext<[Job]> {
  getJob(): Job {
    return this.args[0];
  }

  /** 1 on the first attempt, 2 on the first retry, and so on (reset by a replay). */
  getAttempt(): number {
    return this.args[0].attemptsMade + 1;
  }
}
