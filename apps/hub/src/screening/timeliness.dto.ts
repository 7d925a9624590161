import { ApiProperty } from '@nestjs/swagger';
import { IsDefined } from 'class-validator';
import { IsCalendarDate } from '#contracts';

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

export class TimelinessGroup {
  @ApiProperty({ description: 'The RAG, or the referring agency' }) key!: string;
  @ApiProperty({ description: 'Contacts decided (and signed off) in the period' }) decided!: number;
  @ApiProperty({ description: 'Decided by the deadline' }) onTime!: number;
  @ApiProperty() late!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'onTime / decided, 0 to 1' }) onTimeRate!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Median minutes from receipt to decision' }) medianMinutesToDecision!: number | null;
}

export class TimelinessReport {
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
  @ApiProperty({ type: [TimelinessGroup] }) byRag!: TimelinessGroup[];
  @ApiProperty({ type: [TimelinessGroup] }) byReferringAgency!: TimelinessGroup[];
  @ApiProperty({ description: 'Contacts waiting in the MASH for a decision past their deadline, now' }) waitingPastDeadline!: number;
}
