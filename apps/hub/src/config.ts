import { IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength, ValidateIf, registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';
import { DAY_START_PATTERN, WorkingClock, parseSchoolHolidays } from '#calendar';
import type { Rag } from '#contracts';
import { parseDeadlineRule, type RagDeadlines } from '#screening';
import { ServiceConfig } from '#platform';

/** A list of school holidays parseSchoolHolidays can read. */
function IsSchoolHolidays(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isSchoolHolidays',
      target: object.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && schoolHolidaysProblem(value) === null,
        defaultMessage: (args: ValidationArguments) =>
          `$property must be dates or date ranges (YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD), comma-separated: ${typeof args.value === 'string' ? schoolHolidaysProblem(args.value) : 'not text'}`,
      },
    });
}

function schoolHolidaysProblem(text: string): string | null {
  try {
    parseSchoolHolidays(text);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * The hub's settings. Defaults suit a developer's machine with Postgres and
 * Redis on localhost.
 */
export class HubConfig extends ServiceConfig {
  /** As the application role, which may add audit events but never change them (see the migrations). */
  @Matches(/^postgres(ql)?:\/\//, { message: '$property must be a postgres:// connection URL' })
  DATABASE_URL: string = 'postgres://mash_app@127.0.0.1:5432/mash';

  /**
   * Notifications taken at once from each agency's intake queue. Those waiting for a transaction
   * are stored together (INTAKE_BATCH_SIZE), so more in hand means fewer, larger commits under load.
   */
  @IsInt()
  @Min(1)
  @Max(500)
  INTAKE_CONCURRENCY: number = 32;

  /** Intake transactions the hub runs at once, across all agencies' queues. */
  @IsInt()
  @Min(1)
  @Max(50)
  INTAKE_TRANSACTIONS: number = 2;

  /** The most notifications stored in one intake transaction. */
  @IsInt()
  @Min(1)
  @Max(500)
  INTAKE_BATCH_SIZE: number = 32;

  /** Postgres connections the hub may hold: enough for every agency's intake at once and the staff API beside it. */
  @IsInt()
  @Min(2)
  @Max(200)
  DATABASE_POOL_SIZE: number = 30;

  /** How many times a message to an adapter is tried before it is dead-lettered. */
  @IsInt()
  @Min(1)
  @Max(50)
  DELIVERY_ATTEMPTS: number = 8;

  @IsInt()
  @Min(50)
  OUTBOX_POLL_INTERVAL_MS: number = 500;

  /** Failed publishes of one outbox message before it is parked for an operator (with backoff of up to 10 minutes between them). */
  @IsInt()
  @Min(1)
  @Max(1000)
  OUTBOX_MAX_ATTEMPTS: number = 20;

  /** How long published outbox messages are kept before they are deleted. */
  @IsInt()
  @Min(1)
  OUTBOX_RETENTION_HOURS: number = 72;

  /** While Postgres is unreachable the intake consumers are paused and ask it this often whether it is back. */
  @IsInt()
  @Min(100)
  DATABASE_PROBE_INTERVAL_MS: number = 2000;

  /** The Ed25519 private key (PKCS#8 PEM; \n may stand for line breaks) that signs audit checkpoints. Required in production. */
  @ValidateIf((c: HubConfig) => c.MASH_ENV === 'production' || c.AUDIT_SIGNING_KEY !== undefined)
  @Matches(/BEGIN PRIVATE KEY/, { message: '$property must be a PKCS#8 PEM private key (required in production)' })
  AUDIT_SIGNING_KEY?: string = undefined;

  /** Where the signing key is kept when AUDIT_SIGNING_KEY is not set; created on first use. */
  @IsString()
  AUDIT_SIGNING_KEY_FILE: string = 'var/audit-signing-key.pem';

  @IsInt()
  @Min(1000)
  AUDIT_CHECKPOINT_INTERVAL_MS: number = 15 * 60 * 1000;

  /**
   * `production` (the default, so a hub nobody configured fails closed) refuses development
   * conveniences: seed accounts with known passwords, generated keys and secrets. `development`
   * must be asked for, and is refused in a runtime that says it is production (NODE_ENV).
   */
  @IsIn(['development', 'production'])
  @ValidateIf((c: HubConfig) => c.MASH_ENV !== 'development' || c.NODE_ENV === 'production')
  @IsIn(['production'], {
    message: '$property=development (seed accounts with known passwords) is refused with NODE_ENV=production; unset MASH_ENV or set it to production',
  })
  MASH_ENV: string = 'production';

  /** Read only to refuse MASH_ENV=development where the runtime (e.g. the Docker image) says production. */
  @IsOptional()
  @IsString()
  NODE_ENV?: string = undefined;

  /** Signs the hub's own staff access tokens (HS256); at least 32 characters. Required in production. */
  @ValidateIf((c: HubConfig) => c.MASH_ENV === 'production' || c.STAFF_TOKEN_SECRET !== undefined)
  @IsString({ message: '$property is required in production' })
  @MinLength(32)
  STAFF_TOKEN_SECRET?: string = undefined;

  /** Where the token secret is kept in development when STAFF_TOKEN_SECRET is not set; created on first use. */
  @IsString()
  STAFF_TOKEN_SECRET_FILE: string = 'var/staff-token-secret';

  @IsInt()
  @Min(60)
  @Max(3600)
  STAFF_ACCESS_TOKEN_TTL_SECONDS: number = 900;

  @IsInt()
  @Min(300)
  STAFF_REFRESH_TOKEN_TTL_SECONDS: number = 8 * 3600;

  /** How long after a refresh token's use the same token may be used again (two tabs refreshing at once) without being taken for theft; 0 for never. */
  @IsInt()
  @Min(0)
  @Max(120)
  STAFF_REFRESH_REUSE_GRACE_SECONDS: number = 10;

  /** Refused requests are written to the audit trail as one counted event per source, reason, route and window of this many seconds. */
  @IsInt()
  @Min(1)
  @Max(3600)
  ACCESS_REFUSAL_WINDOW_SECONDS: number = 60;

  /** Failed sign-ins in a row that lock an account, and for how long. */
  @IsInt()
  @Min(1)
  SIGN_IN_LOCKOUT_THRESHOLD: number = 5;

  @IsInt()
  @Min(1)
  SIGN_IN_LOCKOUT_SECONDS: number = 900;

  /** Sign-in attempts a minute for one username from one address (six times that from one address). */
  @IsInt()
  @Min(1)
  SIGN_IN_RATE_LIMIT_PER_MINUTE: number = 10;

  /** A council's OpenID Connect issuer, whose tokens are accepted beside the hub's own. */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['https', 'http'] })
  OIDC_ISSUER?: string = undefined;

  @ValidateIf((c: HubConfig) => c.OIDC_ISSUER !== undefined)
  @IsString({ message: '$property is required with OIDC_ISSUER' })
  OIDC_AUDIENCE?: string = undefined;

  @ValidateIf((c: HubConfig) => c.OIDC_ISSUER !== undefined)
  @IsUrl({ require_tld: false, protocols: ['https', 'http'] }, { message: '$property (the issuer key set URL) is required with OIDC_ISSUER' })
  OIDC_JWKS_URL?: string = undefined;

  /** The claim holding the person's MASH roles (a string or an array of them). */
  @IsString()
  OIDC_ROLES_CLAIM: string = 'roles';

  /** The claim that names the person in the audit trail. */
  @IsString()
  OIDC_NAME_CLAIM: string = 'preferred_username';

  /** The claim holding the person's MASH team (a string); the timeliness figures are given per team. Without it a person has no team. */
  @IsString()
  @Matches(/^[A-Za-z0-9_.:/-]{1,200}$/, { message: '$property must name a claim: 1 to 200 letters, digits or _ . : / -' })
  OIDC_TEAM_CLAIM: string = 'team';

  /** The staff pages' OpenID Connect client, for signing in at OIDC_ISSUER (authorization code with PKCE); without it only built-in accounts sign in there. */
  @IsOptional()
  @IsString()
  OIDC_CLIENT_ID?: string = undefined;

  /** The client's secret, when the identity provider issued one (a confidential client). */
  @IsOptional()
  @IsString()
  OIDC_CLIENT_SECRET?: string = undefined;

  /** Where the identity provider sends staff back: this hub's /sign-in/oidc/callback as the browser reaches it. */
  @ValidateIf((c: HubConfig) => c.OIDC_CLIENT_ID !== undefined)
  @IsUrl({ require_tld: false, protocols: ['https', 'http'] }, { message: '$property (the /sign-in/oidc/callback URL) is required with OIDC_CLIENT_ID' })
  OIDC_REDIRECT_URL?: string = undefined;

  /** A staff page session ends after this long without a request. */
  @IsInt()
  @Min(5)
  @Max(24 * 3600)
  WEB_SESSION_IDLE_SECONDS: number = 30 * 60;

  /** A staff page session ends this long after sign-in, however busy. */
  @IsInt()
  @Min(60)
  @Max(7 * 24 * 3600)
  WEB_SESSION_ABSOLUTE_SECONDS: number = 8 * 3600;

  /** The minimisation policy file (default: the one shipped, libs/sharing/policy/minimisation-policy.json); checked at start-up. */
  @IsOptional()
  @IsString()
  SHARING_POLICY_FILE?: string = undefined;

  /** When the school day starts, on a clock in England: Operation Encompass notices are due before it. */
  @Matches(DAY_START_PATTERN, { message: '$property must be a time of day as HH:MM, e.g. 08:30' })
  SCHOOL_DAY_START: string = '08:30';

  /**
   * The council's school holidays, when Encompass notices roll forward to the next school day (weekends
   * and bank holidays always do): dates or ranges, comma-separated, e.g. 2026-12-21..2027-01-01,2027-02-15..2027-02-19.
   */
  @IsSchoolHolidays()
  SCHOOL_HOLIDAYS: string = '';

  /** How often the hub looks for Operation Encompass notices to send and for unacknowledged ones past their deadline. */
  @IsInt()
  @Min(100)
  ENCOMPASS_POLL_INTERVAL_MS: number = 5000;

  /** The working day on the council's working-time clock, HH:MM on a clock in England. */
  @Matches(DAY_START_PATTERN, { message: '$property must be a time of day as HH:MM, e.g. 09:00' })
  WORKING_DAY_START: string = '09:00';

  @Matches(DAY_START_PATTERN, { message: '$property must be a time of day as HH:MM, e.g. 17:00' })
  WORKING_DAY_END: string = '17:00';

  /** Working weekdays, 0 Sunday to 6 Saturday, comma-separated; bank holidays in England and Wales are never working days. */
  @Matches(/^[0-6](,[0-6])*$/, { message: '$property must be weekday numbers 0 (Sunday) to 6 (Saturday), comma-separated, e.g. 1,2,3,4,5' })
  WORKING_DAYS: string = '1,2,3,4,5';

  /**
   * Deadlines by RAG: hours then `h` (round the clock) or `wh` (working hours). The decision is due from
   * receipt; partners' information from the request.
   */
  @IsDeadline()
  DEADLINE_RED_DECISION: string = '4h';

  @IsDeadline()
  DEADLINE_RED_INFORMATION: string = '2h';

  @IsDeadline()
  DEADLINE_AMBER_DECISION: string = '8wh';

  @IsDeadline()
  DEADLINE_AMBER_INFORMATION: string = '6wh';

  @IsDeadline()
  DEADLINE_GREEN_DECISION: string = '24wh';

  @IsDeadline()
  DEADLINE_GREEN_INFORMATION: string = '24wh';

  /** How often the hub sets missing deadlines and escalates breached ones to the manager. */
  @IsInt()
  @Min(100)
  DEADLINE_POLL_INTERVAL_MS: number = 15_000;

  /** A contact within this many months of an earlier referral of the child is a re-referral. */
  @IsInt()
  @Min(1)
  @Max(60)
  RE_REFERRAL_MONTHS: number = 12;

  /** This many low-level (green) notices about a child within REPEAT_LOW_LEVEL_MONTHS flag its contact. */
  @IsInt()
  @Min(2)
  @Max(50)
  REPEAT_LOW_LEVEL_COUNT: number = 3;

  @IsInt()
  @Min(1)
  @Max(24)
  REPEAT_LOW_LEVEL_MONTHS: number = 3;
}

/** The RAG deadlines and working-time clock these settings describe. */
export function screeningClock(config: HubConfig): { clock: WorkingClock; deadlines: Record<Rag, RagDeadlines> } {
  const clock = new WorkingClock({
    dayStart: config.WORKING_DAY_START,
    dayEnd: config.WORKING_DAY_END,
    workingDays: [...new Set(config.WORKING_DAYS.split(',').map(Number))],
  });
  const rule = (text: string) => parseDeadlineRule(text);
  return {
    clock,
    deadlines: {
      red: { decision: rule(config.DEADLINE_RED_DECISION), partnerInformation: rule(config.DEADLINE_RED_INFORMATION) },
      amber: { decision: rule(config.DEADLINE_AMBER_DECISION), partnerInformation: rule(config.DEADLINE_AMBER_INFORMATION) },
      green: { decision: rule(config.DEADLINE_GREEN_DECISION), partnerInformation: rule(config.DEADLINE_GREEN_INFORMATION) },
    },
  };
}

/** A deadline setting parseDeadlineRule can read. */
function IsDeadline(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isDeadline',
      target: object.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && /^\d+(\.\d+)?w?h$/.test(value) && Number.parseFloat(value) > 0,
        defaultMessage: () => '$property must be hours then h (round the clock) or wh (working hours), e.g. 4h or 8wh',
      },
    });
}
