import type { Queue } from 'bullmq';
import { MessagePatterns } from '#contracts';

/**
 * Notification jobs on an intake queue, in any state. Access refusals and inbox activity share
 * the queue (and the hub removes refusals once recorded), so they are not counted: a test that
 * nothing was queued compares this before and after.
 */
export async function notificationJobs(queue: Queue): Promise<number> {
  const jobs = await queue.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized', 'waiting-children']);
  return jobs.filter((job) => job?.name === MessagePatterns.notificationReceived).length;
}
