import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ConsentView } from '../sharing/sharing.dto.js';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { RAG_RATINGS, ToCanonicalUuid, type Agency, type Rag } from '#contracts';
import { CONTACT_STATUSES, type ContactStatus } from './contact.entity.js';

export const CONTACT_STATUS_FILTERS = ['open', ...CONTACT_STATUSES] as const;
export const RAG_FILTERS = [...RAG_RATINGS, 'unrated'] as const;

/** Counting stops here: enough to say how long a queue is, without counting a whole table for every page. */
export const CONTACT_COUNT_LIMIT = 10_000;

export class ListContactsQuery {
  @ApiPropertyOptional({ enum: CONTACT_STATUS_FILTERS, description: '`open` means any status but closed' })
  @IsOptional()
  @IsIn(CONTACT_STATUS_FILTERS)
  status?: (typeof CONTACT_STATUS_FILTERS)[number];

  @ApiPropertyOptional({ enum: RAG_FILTERS, description: "The screener's RAG; `unrated` for contacts not yet screened" })
  @IsOptional()
  @IsIn(RAG_FILTERS)
  rag?: (typeof RAG_FILTERS)[number];

  @ApiPropertyOptional({
    format: 'uuid',
    description: "Where the page starts: the previous page's `next`. Omit for the newest contacts.",
  })
  @IsOptional()
  @ToCanonicalUuid()
  @IsUUID('loose', { message: "after must be the previous page's next (a contact id)" })
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 25 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  pageSize = 25;
}

export class ChildSummary {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() givenName!: string;
  @ApiProperty() familyName!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date' }) dateOfBirth!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date' }) expectedDateOfDelivery!: string | null;
}

export class ChildDetail extends ChildSummary {
  @ApiProperty({ nullable: true, type: String }) nhsNumber!: string | null;
}

export class ContactSummary {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'Short contact number, e.g. 1042' }) number!: string;
  @ApiProperty({ enum: CONTACT_STATUSES }) status!: ContactStatus;
  @ApiProperty({ enum: RAG_RATINGS, nullable: true }) rag!: Rag | null;
  @ApiProperty({ enum: RAG_RATINGS }) senderUrgency!: Rag;
  @ApiProperty() receivedAt!: string;
  @ApiProperty() lastNotificationAt!: string;
  @ApiProperty() notificationCount!: number;
  @ApiProperty({ type: ChildSummary }) child!: ChildSummary;
}

export class ContactPage {
  @ApiProperty({ type: [ContactSummary], description: 'Newest first' }) items!: ContactSummary[];
  @ApiProperty() pageSize!: number;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'uuid',
    description: 'Pass as `after` for the next page; null on the last page. Paging by position stays stable while new contacts arrive.',
  })
  next!: string | null;
  @ApiProperty({ description: `Contacts matching the filters, on every page, counted up to ${CONTACT_COUNT_LIMIT.toLocaleString('en-GB')}` })
  total!: number;
  @ApiProperty({ description: `False when there are more than ${CONTACT_COUNT_LIMIT.toLocaleString('en-GB')} and total is that limit` })
  totalIsExact!: boolean;
}

export class LinkedNotification {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() sourceAgency!: Agency;
  @ApiProperty({ description: "The sending organisation's code (force, ODS, school URN, council, probation region); 'unrecorded' for early notifications" })
  sourceOrganisation!: string;
  @ApiProperty() partnerReference!: string;
  @ApiProperty({ nullable: true, type: String }) occurredAt!: string | null;
  @ApiProperty() reportedAt!: string;
  @ApiProperty() receivedAt!: string;
  @ApiProperty({ enum: RAG_RATINGS }) senderUrgency!: Rag;
  @ApiProperty({ description: 'Who made the referral: the DfE CIN census referral source code, e.g. 6 (police)' }) referralSource!: string;
  @ApiProperty({ type: [String] }) categories!: string[];
  @ApiProperty({ description: 'Position of this child among the notification subjects' }) childIndex!: number;
  @ApiProperty({ description: 'The canonical notification as received, in the current version', type: Object }) message!: object;
}

export class TimelineEntry {
  @ApiProperty() sequence!: string;
  @ApiProperty() at!: string;
  @ApiProperty() action!: string;
  @ApiProperty() actor!: string;
  @ApiProperty({ nullable: true, type: String }) onBehalfOf!: string | null;
  @ApiProperty({ nullable: true, type: String }) subjectType!: string | null;
  @ApiProperty({ nullable: true, type: String }) subjectId!: string | null;
  @ApiProperty({ type: Object }) details!: Record<string, unknown>;
}

export class ContactDetail extends ContactSummary {
  @ApiProperty({ type: ChildDetail }) declare child: ChildDetail;
  @ApiProperty({ type: [LinkedNotification] }) notifications!: LinkedNotification[];
  @ApiProperty({ type: ConsentView, description: 'The consent that stands (partners’ decisions carried forward, staff decisions, a manager’s override) and its history' })
  consent!: ConsentView;
  @ApiProperty({ type: [TimelineEntry], description: 'What happened to this contact, oldest first' })
  timeline!: TimelineEntry[];
}
