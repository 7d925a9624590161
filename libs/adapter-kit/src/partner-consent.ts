import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, ValidateIf } from 'class-validator';
import type { Consent, ConsentGiver, ConsentNotSoughtReason, ConsentStatus } from '#contracts';

/**
 * Consent as the partners' own JSON formats say it (upper-case codes, as
 * police PPN systems do), shared by every adapter but FHIR's: the decision,
 * who gave it, or why it was not sought.
 */
export const PARTNER_CONSENT_CODES = ['GIVEN', 'REFUSED', 'NOT_SOUGHT', 'NOT_REQUIRED'] as const;
export const PARTNER_CONSENT_GIVER_CODES = ['PARENT', 'CARER', 'CHILD'] as const;
export const PARTNER_NOT_SOUGHT_CODES = ['RISK_TO_CHILD', 'RISK_TO_ADULT', 'PREJUDICE_INVESTIGATION', 'UNDUE_DELAY'] as const;

export interface PartnerConsent {
  status: (typeof PARTNER_CONSENT_CODES)[number];
  givenBy?: (typeof PARTNER_CONSENT_GIVER_CODES)[number];
  reasonNotSought?: (typeof PARTNER_NOT_SOUGHT_CODES)[number];
}

export class PartnerConsentDto implements PartnerConsent {
  @ApiProperty({ enum: PARTNER_CONSENT_CODES })
  @IsIn(PARTNER_CONSENT_CODES)
  status!: (typeof PARTNER_CONSENT_CODES)[number];

  @ApiPropertyOptional({ enum: PARTNER_CONSENT_GIVER_CODES, description: 'Required when GIVEN; CHILD means a Gillick-competent child' })
  @ValidateIf((consent: PartnerConsentDto) => consent.status === 'GIVEN')
  @IsIn(PARTNER_CONSENT_GIVER_CODES, { message: '$property is required when consent was GIVEN: PARENT, CARER or CHILD' })
  givenBy?: (typeof PARTNER_CONSENT_GIVER_CODES)[number];

  @ApiPropertyOptional({ enum: PARTNER_NOT_SOUGHT_CODES, description: 'Required when NOT_SOUGHT' })
  @ValidateIf((consent: PartnerConsentDto) => consent.status === 'NOT_SOUGHT')
  @IsIn(PARTNER_NOT_SOUGHT_CODES, { message: `$property is required when consent was NOT_SOUGHT: one of ${PARTNER_NOT_SOUGHT_CODES.join(', ')}` })
  reasonNotSought?: (typeof PARTNER_NOT_SOUGHT_CODES)[number];
}

const GIVERS: Record<(typeof PARTNER_CONSENT_GIVER_CODES)[number], ConsentGiver> = {
  PARENT: 'parent',
  CARER: 'carer',
  CHILD: 'gillick_competent_child',
};

const NOT_SOUGHT: Record<(typeof PARTNER_NOT_SOUGHT_CODES)[number], ConsentNotSoughtReason> = {
  RISK_TO_CHILD: 'risk_of_significant_harm_to_child',
  RISK_TO_ADULT: 'risk_of_serious_harm_to_adult',
  PREJUDICE_INVESTIGATION: 'prejudice_criminal_investigation',
  UNDUE_DELAY: 'undue_delay',
};

/** The partner's consent decision in the canonical notification's terms. */
export function canonicalConsent(consent: PartnerConsent): Pick<Consent, 'status' | 'givenBy' | 'notSoughtReason'> {
  return {
    status: consent.status.toLowerCase() as ConsentStatus,
    ...(consent.givenBy && { givenBy: GIVERS[consent.givenBy] }),
    ...(consent.reasonNotSought && { notSoughtReason: NOT_SOUGHT[consent.reasonNotSought] }),
  };
}
