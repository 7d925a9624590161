import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ConsentView } from '../sharing/sharing.dto.js';
import { IsIn, IsOptional, registerDecorator, type ValidationArguments } from 'class-validator';
import { AGENCIES, CONTACT_OUTCOMES, RAG_RATINGS, type Agency, type ContactOutcome, type Rag } from '#contracts';
import { DecisionView, RagChangeView } from '../screening/screening.dto.js';
import { InformationRequestView } from '../information-requests/information-request.dto.js';
import { CONTACT_STATUSES, type ContactStatus } from './contact.entity.js';
import { CONTACT_SORTS, decodeContactCursor, sortOf, type ContactSort } from './contact-cursor.js';
import { PageSizeParameter } from '../page-size.js';

export const CONTACT_STATUS_FILTERS = ['open', ...CONTACT_STATUSES] as const;
export const RAG_FILTERS = [...RAG_RATINGS, 'unrated'] as const;
export const REPEAT_FILTERS = ['re_referral', 'low_level_repeats', 'any'] as const;

export { CONTACT_SORTS, type ContactSort } from './contact-cursor.js';

/**
 * `after` is a cursor this hub handed out as `next`, made under the sort the query asks for: a
 * cursor says where a page ended in one order, and means nothing in another.
 */
function IsCursorOfThisSort() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isCursorOfThisSort',
      target: target.constructor,
      propertyName,
      validator: {
        validate: (value: unknown, args: ValidationArguments) => decodeContactCursor(value)?.sort === sortOf(args.object as ListContactsQuery),
        defaultMessage: (args: ValidationArguments) => {
          const cursor = decodeContactCursor(args.value);
          const sort = sortOf(args.object as ListContactsQuery);
          return cursor
            ? `after was handed out for the queue sorted by ${cursor.sort}, not by ${sort}: start again from the first page`
            : "after must be the previous page's next, as it was given";
        },
      },
    });
}

/** Counting stops here: enough to say how long a queue is, without counting a whole table for every page. */
export const CONTACT_COUNT_LIMIT = 10_000;

export class ListContactsQuery {
  @ApiPropertyOptional({ enum: CONTACT_STATUS_FILTERS, description: '`open`: waiting in the MASH (neither closed nor gone to an allocated worker)' })
  @IsOptional()
  @IsIn(CONTACT_STATUS_FILTERS)
  status?: (typeof CONTACT_STATUS_FILTERS)[number];

  @ApiPropertyOptional({ enum: RAG_FILTERS, description: "The screener's RAG; `unrated` for contacts not yet screened" })
  @IsOptional()
  @IsIn(RAG_FILTERS)
  rag?: (typeof RAG_FILTERS)[number];

  @ApiPropertyOptional({ enum: REPEAT_FILTERS, description: 'Only re-referrals, only low-level repeats, or either' })
  @IsOptional()
  @IsIn(REPEAT_FILTERS)
  repeat?: (typeof REPEAT_FILTERS)[number];

  @ApiPropertyOptional({ enum: AGENCIES, description: 'Only contacts referred by this agency (the agency of the notification that opened the contact)' })
  @IsOptional()
  @IsIn(AGENCIES, { message: `agency must be a referring agency: one of ${AGENCIES.join(', ')}` })
  agency?: Agency;

  @ApiPropertyOptional({
    enum: CONTACT_SORTS,
    description:
      '`deadline`: soonest decision deadline first (contacts whose deadline is not set yet last), the default for open contacts and any status waiting in the MASH; `newest`: newest first, the default otherwise',
  })
  @IsOptional()
  @IsIn(CONTACT_SORTS, { message: `sort must be one of ${CONTACT_SORTS.join(', ')}: deadline (soonest decision deadline first) or newest (newest first)` })
  sort?: ContactSort;

  @ApiPropertyOptional({
    description: "Where the page starts: the previous page's `next`, under the same sort. Omit for the first page.",
  })
  @IsOptional()
  @IsCursorOfThisSort()
  after?: string;

  @PageSizeParameter(100, 25)
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
  @ApiProperty({ nullable: true, type: String, description: 'When the decision is due (by the RAG; the sender’s urgency until rated)' }) decisionDueAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'When the manager was told the decision is late' }) decisionEscalatedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, enum: AGENCIES, description: 'The agency whose notification opened the contact' }) referringAgency!: Agency | null;
  @ApiProperty({ nullable: true, type: String }) screener!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'The earlier referral of the child, within the re-referral window, that this contact repeats' })
  reReferralOf!: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Low-level (green) notices about the child within the repeat window, when they reach the count that flags it' })
  lowLevelRepeats!: number | null;
  @ApiProperty({ nullable: true, type: String, description: 'The allocated social worker the contact went to, instead of the MASH' }) allocatedWorker!: string | null;
  @ApiProperty({ nullable: true, type: String }) allocatedTeam!: string | null;
}

export class ContactPage {
  @ApiProperty({ type: [ContactSummary], description: 'In the order of `sort`' }) items!: ContactSummary[];
  @ApiProperty({ enum: CONTACT_SORTS, description: 'The order the items are in' }) sort!: ContactSort;
  @ApiProperty() pageSize!: number;
  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'Pass as `after`, with the same filters and sort, for the next page; null on the last page. It holds the last contact’s place in the order, so contacts arriving (or others’ deadlines moving) never make a page repeat or skip one.',
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

export class EarlierContact {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() number!: string;
  @ApiProperty({ enum: CONTACT_STATUSES }) status!: ContactStatus;
  @ApiProperty() receivedAt!: string;
  @ApiProperty() notificationCount!: number;
  @ApiProperty({ nullable: true, type: String, enum: CONTACT_OUTCOMES }) outcome!: ContactOutcome | null;
  @ApiProperty({ nullable: true, type: String, description: 'When the outcome was signed off' }) decidedAt!: string | null;
}

export class ContactDetail extends ContactSummary {
  @ApiProperty({ type: ChildDetail }) declare child: ChildDetail;
  @ApiProperty({ type: [LinkedNotification] }) notifications!: LinkedNotification[];
  @ApiProperty({ type: ConsentView, description: 'The consent that stands (partners’ decisions carried forward, staff decisions, a manager’s override) and its history' })
  consent!: ConsentView;
  @ApiProperty({ type: [RagChangeView], description: 'The first rating and every change, with the reasons, oldest first' })
  ragHistory!: RagChangeView[];
  @ApiProperty({ type: [DecisionView], description: 'Decisions, oldest first: returned ones with the reason, the current one last' })
  decisions!: DecisionView[];
  @ApiProperty({ type: [EarlierContact], description: "The child's earlier contacts and their outcomes, newest first" })
  history!: EarlierContact[];
  @ApiProperty({ type: [InformationRequestView], description: 'What the MASH asked partners about the child, oldest first, with their answers' })
  informationRequests!: InformationRequestView[];
  @ApiProperty({ type: [TimelineEntry], description: 'What happened to this contact, oldest first' })
  timeline!: TimelineEntry[];
}
