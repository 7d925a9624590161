import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, Length, Matches, ValidateNested } from 'class-validator';
import type { Agency } from '#contracts';
import { RefusalReasonView, ShareRecipientInput } from '../sharing/sharing.dto.js';
import { INFORMATION_REQUEST_STATUSES, type InformationRequestStatus } from './information-request.entity.js';

const SAYS_SOMETHING = /\S/;

/** The most organisations one ask may go to. */
export const MAX_RECIPIENTS = 20;

export class InformationRequestInput {
  @ApiProperty({ type: [ShareRecipientInput], minItems: 1, maxItems: MAX_RECIPIENTS, description: 'The organisations to ask: one request each' })
  @IsArray()
  @ArrayMinSize(1, { message: 'recipients must name at least one organisation to ask' })
  @ArrayMaxSize(MAX_RECIPIENTS, { message: `recipients must name at most ${MAX_RECIPIENTS} organisations` })
  @ValidateNested({ each: true })
  @Type(() => ShareRecipientInput)
  recipients!: ShareRecipientInput[];

  @ApiProperty({ minLength: 10, maxLength: 4000, description: 'What the MASH asks; each recipient receives it as written' })
  @IsString()
  @Length(10, 4000, { message: '$property must ask something, in 10 to 4000 characters' })
  @Matches(SAYS_SOMETHING)
  question!: string;
}

export class WithdrawInput {
  @ApiProperty({ minLength: 5, maxLength: 2000, description: 'Why the request is withdrawn (kept in the MASH; the partner is told only that it was withdrawn)' })
  @IsString()
  @Length(5, 2000, { message: '$property must say why, in at least 5 characters' })
  @Matches(SAYS_SOMETHING)
  reason!: string;
}

export class InformationAnswerView {
  @ApiProperty() text!: string;
  @ApiProperty() answeredAt!: string;
  @ApiProperty({ format: 'uuid', description: "The partner system's credential that answered" }) credentialId!: string | null;
  @ApiProperty({ nullable: true, type: String, description: "The partner system's name" }) system!: string | null;
}

export class InformationRequestView {
  @ApiProperty({ format: 'uuid', description: 'The request id: the partner answers by it (it is request.id in what they received)' }) id!: string;
  @ApiProperty({ format: 'uuid' }) contactId!: string;
  @ApiProperty({ format: 'uuid', description: 'The share that carried the question (allowed or refused)' }) shareId!: string;
  @ApiProperty() recipientAgency!: Agency;
  @ApiProperty() recipientOrganisation!: string;
  @ApiProperty() question!: string;
  @ApiProperty({ description: 'When the answer is due, by the contact’s RAG' }) dueAt!: string;
  @ApiProperty({ enum: INFORMATION_REQUEST_STATUSES, description: 'sent (awaiting the answer), refused (by the sharing decision: not sent), answered or withdrawn' })
  status!: InformationRequestStatus;
  @ApiProperty({ type: [RefusalReasonView], description: 'Why the sharing decision refused it, and what would allow it; empty unless refused' })
  reasons!: RefusalReasonView[];
  @ApiProperty() requestedBy!: string;
  @ApiProperty() requestedAt!: string;
  @ApiProperty({ type: InformationAnswerView, nullable: true }) answer!: InformationAnswerView | null;
  @ApiProperty({ nullable: true, type: String }) withdrawnBy!: string | null;
  @ApiProperty({ nullable: true, type: String }) withdrawnAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) withdrawReason!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'When it was escalated to the manager as overdue' }) escalatedAt!: string | null;
}

export class InformationRequestsOutcome {
  @ApiProperty({ description: 'How many went out; the rest were refused by the sharing decision (see each one’s reasons)' }) sent!: number;
  @ApiProperty({ description: 'How many the sharing decision refused' }) refused!: number;
  @ApiProperty({ type: [InformationRequestView], description: 'One per recipient, in the order asked' }) requests!: InformationRequestView[];
}
