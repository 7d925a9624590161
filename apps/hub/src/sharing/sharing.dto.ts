import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsOptional, IsString, IsUUID, Length, Matches, ValidateNested } from 'class-validator';
import {
  AGENCIES,
  ARTICLE_6_BASES,
  CONSENT_GIVERS,
  CONSENT_NOT_SOUGHT_REASONS,
  CONSENT_STATUSES,
  CONTACT_OUTCOMES,
  IsOrganisationCodeOf,
  RequiredOnlyWhen,
  ToCanonicalUuid,
  STATUTORY_GATEWAYS,
  type Agency,
  type Article6Basis,
  type ConsentGiver,
  type ConsentNotSoughtReason,
  type ConsentStatus,
  type ContactOutcome,
  type StatutoryGateway,
} from '#contracts';
import { DATA_CLASSES, SHARE_PURPOSES, type SharePurpose } from '#sharing';

/** Text that says something: not only spaces. */
const SAYS_SOMETHING = /\S/;

/** A consent decision a screener or manager records on a contact. */
export class ConsentDecisionInput {
  @ApiProperty({ enum: CONSENT_STATUSES })
  @IsIn(CONSENT_STATUSES)
  status!: ConsentStatus;

  @ApiPropertyOptional({ enum: CONSENT_GIVERS, description: 'Required when consent was given' })
  @RequiredOnlyWhen((input: ConsentDecisionInput) => input.status === 'given', 'consent was given')
  @IsIn(CONSENT_GIVERS)
  givenBy?: ConsentGiver;

  @ApiPropertyOptional({ enum: CONSENT_NOT_SOUGHT_REASONS, description: 'Required when consent was not sought' })
  @RequiredOnlyWhen((input: ConsentDecisionInput) => input.status === 'not_sought', 'consent was not sought')
  @IsIn(CONSENT_NOT_SOUGHT_REASONS)
  notSoughtReason?: ConsentNotSoughtReason;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  notes?: string;
}

export class ConsentOverrideInput {
  @ApiProperty({ minLength: 20, maxLength: 4000, description: 'The written safeguarding justification for sharing despite the refusal' })
  @IsString()
  @Length(20, 4000, { message: '$property must be a written safeguarding justification of at least 20 characters' })
  @Matches(SAYS_SOMETHING)
  justification!: string;
}

export class OwnerAgreementInput {
  @ApiProperty({ enum: AGENCIES, description: 'The agency whose information it is' })
  @IsIn(AGENCIES)
  ownerAgency!: Agency;

  @ApiProperty({ enum: AGENCIES, description: 'The agency it may go to' })
  @IsIn(AGENCIES)
  recipientAgency!: Agency;

  @ApiProperty({ maxLength: 200, description: 'Who agreed at the owning agency: name and role' })
  @IsString()
  @Length(3, 200)
  @Matches(SAYS_SOMETHING)
  agreedBy!: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  notes?: string;
}

export class ShareRecipientInput {
  @ApiProperty({ enum: AGENCIES })
  @IsIn(AGENCIES)
  agency!: Agency;

  @ApiProperty({ description: "The organisation's code: force, ODS code, school URN, council or probation region" })
  @IsOrganisationCodeOf('agency')
  organisation!: string;
}

export class StatedBasisInput {
  @ApiPropertyOptional({ enum: ARTICLE_6_BASES })
  @IsOptional()
  @IsIn(ARTICLE_6_BASES)
  article6?: Article6Basis;

  @ApiPropertyOptional({ enum: STATUTORY_GATEWAYS })
  @IsOptional()
  @IsIn(STATUTORY_GATEWAYS)
  gateway?: StatutoryGateway;

  @ApiPropertyOptional({ minLength: 20, maxLength: 4000, description: 'Why the share is necessary and proportionate; with a gateway, allows passing on without the owner’s agreement' })
  @IsOptional()
  @IsString()
  @Length(20, 4000, { message: '$property must be at least 20 characters: say why the share is necessary and proportionate' })
  @Matches(SAYS_SOMETHING)
  justification?: string;
}

/** Purposes staff ask for by hand here; information requests have their own workflow. */
export const STAFF_SHARE_PURPOSES = ['information_passed_on'] as const satisfies readonly SharePurpose[];

export class ShareRequestInput {
  @ApiProperty({ enum: STAFF_SHARE_PURPOSES })
  @IsIn(STAFF_SHARE_PURPOSES, { message: `$property must be one of ${STAFF_SHARE_PURPOSES.join(', ')}` })
  purpose!: (typeof STAFF_SHARE_PURPOSES)[number];

  @ApiProperty({ format: 'uuid', description: "The contact's notification whose information is passed on" })
  @ToCanonicalUuid()
  @IsUUID('loose', { message: "notificationId must be the id of one of the contact's notifications" })
  notificationId!: string;

  @ApiProperty({ type: ShareRecipientInput })
  @IsDefined()
  @ValidateNested()
  @Type(() => ShareRecipientInput)
  recipient!: ShareRecipientInput;

  @ApiPropertyOptional({ type: StatedBasisInput })
  @IsOptional()
  @ValidateNested()
  @Type(() => StatedBasisInput)
  statedBasis?: StatedBasisInput;
}

export class OutcomeFeedbackInput {
  @ApiProperty({ enum: CONTACT_OUTCOMES })
  @IsIn(CONTACT_OUTCOMES, { message: `$property must be a contact outcome: one of ${CONTACT_OUTCOMES.join(', ')}` })
  outcome!: ContactOutcome;
}

export class RefusalReasonView {
  @ApiProperty() code!: string;
  @ApiProperty({ description: 'Why, in a sentence' }) explanation!: string;
  @ApiProperty({ description: 'What would allow it' }) remedy!: string;
}

export class ShareView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: SHARE_PURPOSES }) purpose!: SharePurpose;
  @ApiProperty({ enum: ['pending', 'allowed', 'refused'] }) decision!: string;
  @ApiProperty({ type: [RefusalReasonView] }) reasons!: RefusalReasonView[];
  @ApiProperty({ enum: AGENCIES }) recipientAgency!: Agency;
  @ApiProperty({ nullable: true, type: String }) recipientOrganisation!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) notificationId!: string | null;
  @ApiProperty({ nullable: true, type: String, enum: ARTICLE_6_BASES }) article6!: string | null;
  @ApiProperty({ nullable: true, type: String }) article9!: string | null;
  @ApiProperty({ type: [String] }) gateways!: string[];
  @ApiProperty({ nullable: true, type: String, description: 'The consent as it bore on the share' }) consent!: string | null;
  @ApiProperty({ nullable: true, type: String }) policyVersion!: string | null;
  @ApiProperty({ type: [String], description: 'Names of the fields shared (never their values)' }) fieldsShared!: string[];
  @ApiProperty({ type: [String], description: 'Names of fields withheld by minimisation, or asked for when refused' }) fieldsWithheld!: string[];
  @ApiProperty() requestedBy!: string;
  @ApiProperty({ nullable: true, type: String }) dueAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) deliveredAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) acknowledgedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) decidedAt!: string | null;
  @ApiProperty() createdAt!: string;
}

export class ConsentEntryView {
  @ApiProperty({ enum: ['decision', 'override'] }) kind!: 'decision' | 'override';
  @ApiProperty({ nullable: true, type: String, enum: CONSENT_STATUSES }) status!: ConsentStatus | null;
  @ApiProperty({ nullable: true, type: String, enum: CONSENT_GIVERS }) givenBy!: ConsentGiver | null;
  @ApiProperty({ nullable: true, type: String, enum: CONSENT_NOT_SOUGHT_REASONS }) notSoughtReason!: ConsentNotSoughtReason | null;
  @ApiProperty({ nullable: true, type: String }) notes!: string | null;
  @ApiProperty({ nullable: true, type: String }) justification!: string | null;
  @ApiProperty({ description: "Who recorded it: a partner agency on its notification ('police', …), or a member of staff" }) recordedBy!: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'The notification a partner recorded it on' }) notificationId!: string | null;
  @ApiProperty() recordedAt!: string;
}

export class ConsentView {
  @ApiProperty({ nullable: true, type: ConsentEntryView, description: 'The decision that stands; null when none is recorded' }) standing!: ConsentEntryView | null;
  @ApiProperty({ nullable: true, type: ConsentEntryView, description: 'The override of the standing refusal, if any' }) override!: ConsentEntryView | null;
  @ApiProperty({ description: 'The standing consent in words' }) summary!: string;
  @ApiProperty({ type: [ConsentEntryView], description: 'Every decision and override, oldest first' }) history!: ConsentEntryView[];
}

export class OwnerAgreementView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: AGENCIES }) ownerAgency!: Agency;
  @ApiProperty({ enum: AGENCIES }) recipientAgency!: Agency;
  @ApiProperty() agreedBy!: string;
  @ApiProperty({ nullable: true, type: String }) notes!: string | null;
  @ApiProperty() recordedBy!: string;
  @ApiProperty() recordedAt!: string;
}

export class ContactSharingView {
  @ApiProperty({ type: ConsentView }) consent!: ConsentView;
  @ApiProperty({ type: [OwnerAgreementView] }) ownerAgreements!: OwnerAgreementView[];
  @ApiProperty({ type: [ShareView], description: 'Every share decided about this contact, newest first' }) shares!: ShareView[];
}

export class PolicyFieldView {
  @ApiProperty() name!: string;
  @ApiProperty({ enum: DATA_CLASSES }) class!: string;
  @ApiProperty() description!: string;
}

export class PolicyRowView {
  @ApiProperty({ enum: SHARE_PURPOSES }) purpose!: SharePurpose;
  @ApiProperty({ enum: AGENCIES }) recipient!: Agency;
  @ApiProperty({ enum: ['decided_per_case', 'not_a_step'] }) consent!: string;
  @ApiProperty({ enum: ['mash_own', 'sent_for_owner', 'owner_agreement_or_stated_basis'] }) onwardDisclosure!: string;
  @ApiProperty({ type: [String] }) gateways!: string[];
  @ApiProperty({ type: [PolicyFieldView] }) fields!: PolicyFieldView[];
}

export class SharingPolicyView {
  @ApiProperty() version!: string;
  @ApiProperty() approvedBy!: string;
  @ApiProperty({ type: [PolicyRowView], description: 'Every message type × recipient agency the policy allows; any other pair is refused' }) rows!: PolicyRowView[];
}
