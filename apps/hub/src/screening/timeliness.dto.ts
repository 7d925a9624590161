import { ApiProperty } from '@nestjs/swagger';
import { IsDefined } from 'class-validator';
import { IsCalendarDate, type Rag } from '#contracts';
import type { ContactState } from '#screening';

export class TimelinessQuery {
  @ApiProperty({ format: 'date', description: 'The first day of the period (decisions on or after it)' })
  @IsDefined()
  @IsCalendarDate()
  from!: string;

  @ApiProperty({ format: 'date', description: 'The last day of the period (decisions up to the end of it)' })
  @IsDefined()
  @IsCalendarDate()
  to!: string;
}

/** The team key of decisions whose decider had no team recorded (before teams were recorded, or none given). */
export const UNRECORDED_TEAM = 'unrecorded';

export class TimelinessGroup {
  @ApiProperty({ description: `The RAG, the referring agency or the deciding team ('${UNRECORDED_TEAM}' when none was recorded); 'all' for the whole period` }) key!: string;
  @ApiProperty({ description: 'Contacts decided (and signed off) in the period' }) decided!: number;
  @ApiProperty({ description: 'Decided by the deadline' }) onTime!: number;
  @ApiProperty() late!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'onTime / decided, 0 to 1' }) onTimeRate!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Median minutes from receipt to decision' }) medianMinutesToDecision!: number | null;
}

export class TimelinessReport {
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
  @ApiProperty({ type: TimelinessGroup, description: 'Every contact decided in the period' }) overall!: TimelinessGroup;
  @ApiProperty({ type: [TimelinessGroup] }) byRag!: TimelinessGroup[];
  @ApiProperty({ type: [TimelinessGroup] }) byReferringAgency!: TimelinessGroup[];
  @ApiProperty({ type: [TimelinessGroup], description: 'By the team of the member of staff who made the decision, as it was when they made it' }) byTeam!: TimelinessGroup[];
  @ApiProperty({ description: 'Contacts waiting in the MASH for a decision past their deadline, now' }) waitingPastDeadline!: number;
}

/** A contact waiting in the MASH for a decision past its deadline. */
export interface PastDeadlineContact {
  id: string;
  number: string;
  status: ContactState;
  /** The screener's RAG, or the sender's urgency until rated. */
  rag: Rag;
  rated: boolean;
  decisionDueAt: string;
  screener: string | null;
}
