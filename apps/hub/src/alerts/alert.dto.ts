import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { ToCanonicalUuid } from '#contracts';
import { ALERT_AUDIENCES, ALERT_KINDS, type AlertAudience, type AlertKind } from './alert.entity.js';
import { PageSizeParameter } from '../page-size.js';

export class ListAlertsQuery {
  @ApiPropertyOptional({ enum: ALERT_AUDIENCES, description: "Only alerts for this audience. Screeners see screener alerts only; managers see both unless they filter." })
  @IsOptional()
  @IsIn(ALERT_AUDIENCES)
  audience?: AlertAudience;

  @ApiPropertyOptional({ format: 'uuid', description: "Where the page starts: the previous page's `next`. Omit for the newest alerts." })
  @IsOptional()
  @ToCanonicalUuid()
  @IsUUID('loose', { message: "after must be the previous page's next (an alert id)" })
  after?: string;

  @PageSizeParameter(100, 25)
  pageSize = 25;
}

export class AlertView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ALERT_KINDS, description: 'encompass_no_school: a notice had no school to go to; encompass_unacknowledged: its school did not acknowledge it by the deadline' })
  kind!: AlertKind;
  @ApiProperty({ enum: ALERT_AUDIENCES }) audience!: AlertAudience;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) contactId!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The contact’s short number, e.g. 1042' }) contactNumber!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) shareId!: string | null;
  @ApiProperty({ description: 'What happened and what to do; the contact holds the personal details' }) message!: string;
  @ApiProperty() raisedAt!: string;
  @ApiProperty({ nullable: true, type: String }) resolvedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Who resolved it, as they were named then' }) resolvedBy!: string | null;
}

export class AlertPage {
  @ApiProperty({ type: [AlertView], description: 'Open alerts, newest first' }) items!: AlertView[];
  @ApiProperty() pageSize!: number;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'Pass as `after` for the next page; null on the last page' })
  next!: string | null;
}
