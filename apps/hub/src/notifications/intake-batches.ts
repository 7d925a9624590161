import { Inject, Injectable, Logger } from '@nestjs/common';
import type { SafeguardingNotification } from '#contracts';
import { HubConfig } from '../config.js';
import { NotificationIntake, type IntakeOutcome } from './notification-intake.js';

interface Waiting {
  message: SafeguardingNotification;
  resolve: (outcome: IntakeOutcome) => void;
  reject: (error: unknown) => void;
}

/** How long a busy intake transaction is waited for before another starts beside it. */
const SLOW_TRANSACTION_MS = 50;

/**
 * Group commit for intake. Notifications that arrive while an intake
 * transaction is busy wait here, and the next transaction takes up to
 * INTAKE_BATCH_SIZE of them at once. A second transaction (up to
 * INTAKE_TRANSACTIONS) starts beside a busy one only for a full batch or when
 * the busy one is slow, so batches stay large. When load is light a notification goes
 * straight in on its own; under load a commit, the audit chain's head and
 * each statement serve many notifications, which is what lets the hub keep up.
 *
 * Each caller still gets its own notification's outcome. If a shared
 * transaction fails, each of its notifications is taken again on its own, so
 * one bad notification (or a deadlock with another hub) fails only its own
 * message, and a failure reaches the message it belongs to.
 */
@Injectable()
export class IntakeBatches {
  private readonly logger = new Logger(IntakeBatches.name);
  private readonly waiting: Waiting[] = [];
  /** When each running transaction started. */
  private readonly started: number[] = [];
  private recheck: NodeJS.Timeout | undefined;

  constructor(
    private readonly intake: NotificationIntake,
    @Inject(HubConfig) private readonly config: HubConfig,
  ) {}

  receive(message: SafeguardingNotification): Promise<IntakeOutcome> {
    return new Promise<IntakeOutcome>((resolve, reject) => {
      this.waiting.push({ message, resolve, reject });
      this.startBatches();
    });
  }

  private startBatches(): void {
    clearTimeout(this.recheck);
    while (this.waiting.length && this.started.length < this.config.INTAKE_TRANSACTIONS) {
      // With a transaction already busy, a part-filled batch waits for it, gathering more notifications,
      // unless that transaction is slow (a lock held by someone else, say): then it goes beside it.
      if (this.started.length && this.waiting.length < this.config.INTAKE_BATCH_SIZE) {
        const busyForMs = Date.now() - Math.min(...this.started);
        if (busyForMs < SLOW_TRANSACTION_MS) {
          this.recheck = setTimeout(() => this.startBatches(), SLOW_TRANSACTION_MS - busyForMs).unref();
          return;
        }
      }
      const batch = this.takeBatch();
      const startedAt = Date.now();
      this.started.push(startedAt);
      void this.run(batch).finally(() => {
        this.started.splice(this.started.indexOf(startedAt), 1);
        this.startBatches();
      });
    }
  }

  /** The longest-waiting notifications, at most one copy of each (a second copy waits for the next batch). */
  private takeBatch(): Waiting[] {
    const batch: Waiting[] = [];
    const ids = new Set<string>();
    for (let index = 0; index < this.waiting.length && batch.length < this.config.INTAKE_BATCH_SIZE; ) {
      const entry = this.waiting[index];
      if (ids.has(entry.message.notificationId)) {
        index += 1;
        continue;
      }
      ids.add(entry.message.notificationId);
      batch.push(entry);
      this.waiting.splice(index, 1);
    }
    return batch;
  }

  private async run(batch: Waiting[]): Promise<void> {
    if (batch.length > 1) {
      try {
        const outcomes = await this.intake.receiveAll(batch.map((entry) => entry.message));
        batch.forEach((entry, index) => entry.resolve(outcomes[index]));
        return;
      } catch (error) {
        // Whose fault it was, if anyone's, is found by taking each again on its own, below. Only the
        // error's code is logged: a database's message can quote the data.
        this.logger.warn({ message: 'shared intake transaction failed; taking its notifications one by one', notifications: batch.length, code: errorCode(error) });
      }
    }
    await Promise.all(batch.map((entry) => this.intake.receive(entry.message).then(entry.resolve, entry.reject)));
  }
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : (error as Error | null)?.name ?? 'unknown';
}
