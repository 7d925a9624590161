import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Min, registerDecorator, type ValidationArguments } from 'class-validator';
import { AGENCIES, IsInstant, ToCanonicalUuid, isInstant, type Agency } from '#contracts';
import { ACTOR_TYPES, type ActorType } from '../audit-event.entity.js';
import { AUDIT_ACTIONS, type AuditAction } from '../audit-trail.js';
import { PageSizeParameter } from '../../page-size.js';

export const EXPORT_FORMATS = ['csv', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** `to` must not be earlier than the instant named by `property` (checked only when both are valid instants). */
function IsNotBefore(property: string): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isNotBefore',
      target: target.constructor,
      propertyName: propertyName as string,
      constraints: [property],
      options: { message: `$property must not be earlier than ${property}` },
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          const start = (args.object as Record<string, unknown>)[property];
          if (!isInstant(value) || !isInstant(start)) return true; // the instant check reports those
          return Date.parse(value) >= Date.parse(start);
        },
      },
    });
}

/** What an auditor can ask of the trail. Every filter narrows: they combine with AND. */
export class AuditEventFilters {
  @ApiPropertyOptional({ format: 'uuid', description: 'Events about this child (child_id)' })
  @IsOptional()
  @ToCanonicalUuid()
  @IsUUID('loose')
  childId?: string;

  @ApiPropertyOptional({
    enum: AGENCIES,
    description:
      "Events on behalf of this agency (what it sent, and what the hub did with what it sent) and events whose details.recipient is this agency (what was shared with it)",
  })
  @IsOptional()
  @IsIn(AGENCIES)
  agency?: Agency;

  @ApiPropertyOptional({ description: "Exactly this actor id: a member of staff's subject at their issuer (a built-in account's id, or its username), or an agency system such as police-adapter", maxLength: 500 })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  actor?: string;

  @ApiPropertyOptional({ enum: AUDIT_ACTIONS })
  @IsOptional()
  @IsIn(AUDIT_ACTIONS)
  action?: AuditAction;

  @ApiPropertyOptional({ format: 'date-time', description: 'Events at or after this instant; needs a time zone, e.g. 2026-03-01T00:00:00Z' })
  @IsOptional()
  @IsInstant()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Events before this instant (exclusive); not earlier than `from`' })
  @IsOptional()
  @IsInstant()
  @IsNotBefore('from')
  to?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "One submission's events, from the partner's adapter to the hub's acknowledgement" })
  @IsOptional()
  @ToCanonicalUuid()
  @IsUUID('loose')
  correlationId?: string;
}

export class SearchAuditEventsQuery extends AuditEventFilters {
  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page = 1;

  @PageSizeParameter(200, 50)
  pageSize = 50;
}

export class ExportAuditEventsQuery extends AuditEventFilters {
  @ApiProperty({ enum: EXPORT_FORMATS })
  @IsIn(EXPORT_FORMATS)
  format!: ExportFormat;
}

export class ChildParams {
  @ApiProperty({ format: 'uuid' })
  @ToCanonicalUuid()
  @IsUUID('loose')
  childId!: string;
}

/** An audit event as stored: every column, so a copy can be checked against its hash. */
export class AuditEventView {
  @ApiProperty({ description: 'Position in the chain (a bigint, as a string): 1, 2, 3 ... with no gaps' }) sequence!: string;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiProperty({ enum: ACTOR_TYPES }) actorType!: ActorType;
  @ApiProperty({ description: "A member of staff's id, or an agency system's name" }) actorId!: string;
  @ApiProperty({ nullable: true, type: String, description: "Staff: their role; agency systems and the hub: the agency" })
  onBehalfOf!: string | null;
  @ApiProperty({ enum: AUDIT_ACTIONS }) action!: string;
  @ApiProperty({ nullable: true, type: String }) subjectType!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) subjectId!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) childId!: string | null;
  @ApiProperty({ nullable: true, type: String }) purpose!: string | null;
  @ApiProperty({ nullable: true, type: String }) lawfulBasis!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) correlationId!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Ids, codes, filters and counts' })
  details!: Record<string, unknown>;
  @ApiProperty({ description: "The predecessor's hash (64 zeros for the first event)" }) previousHash!: string;
  @ApiProperty({ description: 'SHA-256 over the canonical serialisation, which includes previousHash' }) hash!: string;
}

export class AuditEventPage {
  @ApiProperty({ type: [AuditEventView], description: 'Oldest first (sequence ascending)' }) items!: AuditEventView[];
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
  @ApiProperty({ description: 'Events matching the filters, on every page' }) total!: number;
}

export class ChildAccessActor {
  @ApiProperty({ enum: ACTOR_TYPES }) actorType!: ActorType;
  @ApiProperty() actorId!: string;
  @ApiProperty({ nullable: true, type: String }) onBehalfOf!: string | null;
  @ApiProperty({ description: 'Contacts viewed, and contact lists that showed the child' }) views!: number;
  @ApiProperty({ description: 'Information shared about the child, by the hub or by a partner with the hub' }) shares!: number;
  @ApiProperty({ description: 'Every other event about the child' }) other!: number;
  @ApiProperty({ format: 'date-time' }) firstAt!: string;
  @ApiProperty({ format: 'date-time' }) lastAt!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, description: 'Events per action' })
  actions!: Record<string, number>;
}

export class ChildAccess {
  @ApiProperty({ format: 'uuid' }) childId!: string;
  @ApiProperty({ type: [ChildAccessActor], description: 'Everyone who acted on the child, most recent first' })
  actors!: ChildAccessActor[];
  @ApiProperty({ type: [AuditEventView], description: 'The most recent 100 events about the child, newest first' })
  events!: AuditEventView[];
}
