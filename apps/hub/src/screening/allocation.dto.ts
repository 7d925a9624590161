import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { IsNhsNumber, IsPastCalendarDate, IsPersonName } from '#contracts';
import { PageSizeParameter } from '../page-size.js';

export const CASE_REFERENCE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9/_.-]{0,99}$/;
const SAYS_SOMETHING = /\S/;

/** A child's allocation, as the case management system gives it (its nightly export's row, or an update). */
export class AllocationInput {
  @ApiPropertyOptional({ description: 'The child’s NHS number (matched first)' })
  @IsOptional()
  @IsNhsNumber()
  nhsNumber?: string;

  @ApiProperty()
  @IsPersonName()
  givenName!: string;

  @ApiProperty()
  @IsPersonName()
  familyName!: string;

  @ApiPropertyOptional({ format: 'date' })
  @IsOptional()
  @IsPastCalendarDate()
  dateOfBirth?: string;

  @ApiProperty({ description: 'The allocated social worker, as staff know them' })
  @IsString()
  @Length(1, 200)
  @Matches(SAYS_SOMETHING)
  worker!: string;

  @ApiProperty({ description: 'The worker’s team' })
  @IsString()
  @Length(1, 200)
  @Matches(SAYS_SOMETHING)
  team!: string;
}

/** One row of the nightly export: the case reference and the allocation. */
export class AllocationRow extends AllocationInput {
  @Matches(CASE_REFERENCE_PATTERN, { message: '$property must be 1 to 100 letters, digits and / _ . - (the case management system’s reference)' })
  caseReference!: string;
}

export class AllocationView extends AllocationRow {
  @ApiProperty() declare caseReference: string;
  @ApiProperty() updatedAt!: string;
  @ApiProperty({ nullable: true, type: String }) endedAt!: string | null;
}

export class ListAllocationsQuery {
  @ApiPropertyOptional({ description: "Where the page starts: the previous page's `next` (a case reference)" })
  @IsOptional()
  @Matches(CASE_REFERENCE_PATTERN, { message: "after must be the previous page's next (a case reference)" })
  after?: string;

  @PageSizeParameter(200, 50)
  pageSize = 50;
}

export class AllocationPage {
  @ApiProperty({ type: [AllocationView], description: 'Current allocations, by case reference' }) items!: AllocationView[];
  @ApiProperty({ nullable: true, type: String }) next!: string | null;
}
