import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { POSSIBLE_MATCH_STATUSES, type PossibleMatchStatus } from './possible-match.entity.js';
import { PageSizeParameter } from '../page-size.js';

export class ListPossibleMatchesQuery {
  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000)
  page = 1;

  @PageSizeParameter(100, 25)
  pageSize = 25;
}

export class IdentityChild {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() givenName!: string;
  @ApiProperty() familyName!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date' }) dateOfBirth!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date' }) expectedDateOfDelivery!: string | null;
  @ApiProperty({ nullable: true, type: String }) nhsNumber!: string | null;
  @ApiProperty({ nullable: true, type: String }) postcode!: string | null;
  @ApiProperty({ nullable: true, type: String }) uprn!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'Set while this child stands merged into another' }) mergedInto!: string | null;
}

export class PossibleMatchView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: POSSIBLE_MATCH_STATUSES }) status!: PossibleMatchStatus;
  @ApiProperty() score!: number;
  @ApiProperty({ type: [String] }) reasons!: string[];
  @ApiProperty() foundAt!: string;
  @ApiProperty({ type: IdentityChild, description: 'The child registered when the match was found' }) child!: IdentityChild;
  @ApiProperty({ type: IdentityChild, description: 'The child already known that it resembles' }) otherChild!: IdentityChild;
  @ApiProperty({ nullable: true, type: String }) decidedBy!: string | null;
  @ApiProperty({ nullable: true, type: String }) decidedAt!: string | null;
}

export class PossibleMatchPage {
  @ApiProperty({ type: [PossibleMatchView], description: 'Open first (oldest found first), then decided ones, latest decided first' })
  items!: PossibleMatchView[];
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
  @ApiProperty({ description: 'Open possible matches in all' }) open!: number;
}

export class MergeView {
  @ApiProperty({ format: 'uuid' }) mergeId!: string;
  @ApiProperty({ format: 'uuid' }) survivingChildId!: string;
  @ApiProperty({ format: 'uuid' }) mergedChildId!: string;
  @ApiProperty({ type: [String] }) movedContactIds!: string[];
  @ApiProperty({ type: [String] }) movedShareIds!: string[];
  @ApiProperty({ description: "Whether the merged child's NHS number went to the survivor" }) nhsNumberMoved!: boolean;
}

/** A contact of a child under review: enough to tell the two children's histories apart. */
export interface ChildContact {
  id: string;
  number: string;
  status: string;
  receivedAt: string;
  referringAgency: string | null;
}

/** One pair as the review page shows it: the two children and each one's contacts, newest first. */
export interface PossibleMatchReview extends PossibleMatchView {
  childContacts: ChildContact[];
  otherChildContacts: ChildContact[];
}
