import type { Logger } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';

/** The longest a failing round backs off before trying again. */
const MAX_BACKOFF_MS = 30_000;

/**
 * Durable work the hub looks for as soon as it is woken (something it waits for was just
 * committed) and every `intervalMs` otherwise. One round runs at a time; a wake during a round runs
 * another straight after it, so nothing committed meanwhile waits for the next poll. A failed round
 * backs off, doubling up to 30 seconds: the work lives in the database, so it is only ever done
 * late, never lost.
 */
export class WakeableRound {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private rerun = false;
  private stopped = false;
  private failures = 0;

  constructor(
    private readonly round: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  start(): void {
    this.schedule(0);
  }

  /** True once stopping began: a round's own loops stop early then. */
  get isStopped(): boolean {
    return this.stopped;
  }

  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.tick().finally(() => {
      this.running = undefined;
      if (this.rerun) {
        this.rerun = false;
        this.wake();
      }
    });
  }

  /** Stops waking and waits up to `waitMs` for a round in flight; false when it was still running then. */
  async stop(waitMs: number): Promise<boolean> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (!this.running) return true;
    return Promise.race([this.running.then(() => true), delay(waitMs, false)]);
  }

  private async tick(): Promise<void> {
    let delayMs = this.intervalMs;
    try {
      await this.round();
      this.failures = 0;
    } catch (error) {
      this.failures += 1;
      delayMs = Math.min(MAX_BACKOFF_MS, delayMs * 2 ** this.failures);
      this.logger.error({ message: `${this.what} failed; will retry`, error: (error as Error).message, retryInMs: delayMs });
    }
    this.schedule(delayMs);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.wake(), delayMs);
  }
}
