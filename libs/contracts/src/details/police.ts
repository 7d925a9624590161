import { Type } from 'class-transformer';
import { Equals, IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Max, Min, ValidateNested } from 'class-validator';

export class OfficerInCase {
  @IsString()
  @Length(1, 100)
  name!: string;

  @IsOptional()
  @IsString()
  @Length(1, 20)
  collarNumber?: string;

  /** A telephone number or a secure e-mail address. */
  @IsString()
  @Length(3, 200)
  contact!: string;
}

export const DASH_RISK_LEVELS = ['standard', 'medium', 'high'] as const;
export type DashRiskLevel = (typeof DASH_RISK_LEVELS)[number];
export const POLICE_REFERRAL_TYPES = ['information_exchange', 'formal_referral'] as const;
export type PoliceReferralType = (typeof POLICE_REFERRAL_TYPES)[number];

/** What only a police notice carries, as version 1 of the canonical message held it (in `police`). */
export class PoliceDetailsV1 {
  @IsIn(POLICE_REFERRAL_TYPES)
  referralType!: PoliceReferralType;

  @IsOptional()
  @IsIn(DASH_RISK_LEVELS)
  dashRiskLevel?: DashRiskLevel;

  @IsString()
  @Length(1, 300)
  incidentLocation!: string;

  @ValidateNested()
  @Type(() => OfficerInCase)
  officerInCase!: OfficerInCase;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1000)
  previousIncidents?: number;

  /** A domestic abuse incident the child's school must hear of before the next school day. */
  @IsBoolean()
  domesticAbuse!: boolean;
}

/** What only a police notice carries: version 1 of the police part. */
export class PoliceDetails extends PoliceDetailsV1 {
  @Equals('police')
  agency!: 'police';

  @Equals(1, { message: '$property must be 1: the only version of the police details' })
  version!: 1;
}
