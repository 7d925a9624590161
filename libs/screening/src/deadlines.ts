import type { Rag } from '#contracts';
import type { WorkingClock } from '#calendar';

/** How long one deadline runs: clock hours round the clock, or working hours on the council's working-time clock. */
export interface DeadlineRule {
  hours: number;
  clock: 'continuous' | 'working';
}

export interface RagDeadlines {
  /** From receipt to the decision. */
  decision: DeadlineRule;
  /** From the request to the partner's answer. */
  partnerInformation: DeadlineRule;
}

/**
 * The common defaults (domain.md): red 4 hours to decide and 2 for partners, worked round the clock;
 * amber one working day and 6 working hours; green three working days and 24 working hours. A working
 * day is the clock's working day (8 hours at 09:00–17:00).
 */
export function defaultRagDeadlines(workingDayHours = 8): Record<Rag, RagDeadlines> {
  return {
    red: { decision: { hours: 4, clock: 'continuous' }, partnerInformation: { hours: 2, clock: 'continuous' } },
    amber: { decision: { hours: workingDayHours, clock: 'working' }, partnerInformation: { hours: 6, clock: 'working' } },
    green: { decision: { hours: 3 * workingDayHours, clock: 'working' }, partnerInformation: { hours: 24, clock: 'working' } },
  };
}

/** When a deadline that starts at `from` falls due. */
export function dueAt(from: Date, rule: DeadlineRule, clock: WorkingClock): Date {
  return rule.clock === 'continuous' ? new Date(from.getTime() + rule.hours * 3600_000) : clock.addWorkingMinutes(from, rule.hours * 60);
}

/**
 * Deadline settings as environment variables give them: `DEADLINE_<RAG>_<DECISION|INFORMATION>` as
 * hours followed by `h` (clock time, round the clock) or `wh` (working hours), e.g. `4h`, `8wh`.
 */
export function parseDeadlineRule(text: string): DeadlineRule {
  const match = /^(\d+(?:\.\d+)?)(h|wh)$/.exec(text.trim());
  if (!match || Number(match[1]) <= 0) throw new RangeError(`${JSON.stringify(text)} is not a deadline: hours then h (round the clock) or wh (working hours), e.g. 4h or 8wh`);
  return { hours: Number(match[1]), clock: match[2] === 'h' ? 'continuous' : 'working' };
}
