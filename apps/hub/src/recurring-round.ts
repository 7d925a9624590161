import type { Logger } from '@nestjs/common';

/**
 * A round of durable work the hub does every so often (deadlines, escalations): the first straight
 * away, each next one `intervalMs` after the last ended. A failed round is logged and the next tries
 * again: the work lives in the database, so it is only ever done late, never lost. Stopping waits for
 * a round in flight.
 */
export class RecurringRound<T> {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    private readonly round: () => Promise<T>,
    private readonly intervalMs: number,
    private readonly logger: Logger,
    private readonly report: (result: T) => void,
    private readonly what: string,
  ) {}

  start(): void {
    this.schedule(0);
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.round()
        .then(this.report)
        .catch((error: Error) => this.logger.error({ message: `${this.what} round failed; trying again next round`, error: error.message }))
        .finally(() => this.schedule(this.intervalMs));
    }, delayMs);
  }
}
