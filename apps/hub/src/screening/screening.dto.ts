import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsInt, IsString, Length, Matches, Max, Min } from 'class-validator';
import { CONTACT_OUTCOMES, RAG_RATINGS, type ContactOutcome, type Rag } from '#contracts';
import { CONTACT_STATES, type ContactState } from '#screening';

const SAYS_SOMETHING = /\S/;

export const PRIMARY_NEED_CODES = ['N0', 'N1', 'N2', 'N3', 'N4', 'N5', 'N6', 'N7', 'N8', 'N9'] as const;

export class RagInput {
  @ApiProperty({ enum: RAG_RATINGS })
  @IsIn(RAG_RATINGS)
  rag!: Rag;

  @ApiProperty({ minLength: 5, maxLength: 2000, description: 'Why this RAG: required for the first rating and for every change' })
  @IsString()
  @Length(5, 2000, { message: '$property must say why, in at least 5 characters' })
  @Matches(SAYS_SOMETHING)
  reason!: string;
}

export class DecisionInput {
  @ApiProperty({ enum: CONTACT_OUTCOMES })
  @IsIn(CONTACT_OUTCOMES, { message: `$property must be a contact outcome: one of ${CONTACT_OUTCOMES.join(', ')}` })
  outcome!: ContactOutcome;

  @ApiProperty({ enum: PRIMARY_NEED_CODES, description: 'DfE primary need code (N1 abuse or neglect, …)' })
  @IsIn(PRIMARY_NEED_CODES, { message: `$property must be a DfE primary need code, N0 to N9` })
  primaryNeed!: (typeof PRIMARY_NEED_CODES)[number];

  @ApiProperty({ minimum: 1, maximum: 4 })
  @IsInt()
  @Min(1)
  @Max(4)
  levelOfNeed!: number;

  @ApiProperty({ minLength: 20, maxLength: 10000, description: 'Why this outcome' })
  @IsString()
  @Length(20, 10000, { message: '$property must give the reasons for the decision, in at least 20 characters' })
  @Matches(SAYS_SOMETHING)
  rationale!: string;
}

export class ReturnDecisionInput {
  @ApiProperty({ minLength: 5, maxLength: 2000, description: 'What the screener must look at again' })
  @IsString()
  @Length(5, 2000, { message: '$property must say what to look at again, in at least 5 characters' })
  @Matches(SAYS_SOMETHING)
  reason!: string;
}

export class ContactStateView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: CONTACT_STATES }) status!: ContactState;
  @ApiProperty({ enum: RAG_RATINGS, nullable: true }) rag!: Rag | null;
  @ApiProperty({ nullable: true, type: String, description: 'When the decision is due' }) decisionDueAt!: string | null;
}

export class RagChangeView {
  @ApiProperty({ nullable: true, type: String, enum: RAG_RATINGS }) from!: Rag | null;
  @ApiProperty({ enum: RAG_RATINGS }) to!: Rag;
  @ApiProperty() reason!: string;
  @ApiProperty() changedBy!: string;
  @ApiProperty() changedAt!: string;
}

export class DecisionView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: CONTACT_OUTCOMES }) outcome!: ContactOutcome;
  @ApiProperty() primaryNeed!: string;
  @ApiProperty() levelOfNeed!: number;
  @ApiProperty() rationale!: string;
  @ApiProperty() decidedBy!: string;
  @ApiProperty() decidedAt!: string;
  @ApiProperty({ nullable: true, type: String }) signedOffBy!: string | null;
  @ApiProperty({ nullable: true, type: String }) signedOffAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) returnedBy!: string | null;
  @ApiProperty({ nullable: true, type: String }) returnedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) returnReason!: string | null;
}
