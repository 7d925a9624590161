import { Type, plainToInstance } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min, validate, type ValidationError } from 'class-validator';
import { MAX_CREDENTIAL_DAYS } from '#adapter-kit';
import { londonInstant } from '#calendar';
import { AGENCIES, IsOrganisationCodeOf, ORGANISATION_CODE_RULES, PARTNER_SYSTEM_NAME_PATTERN, RAG_RATINGS, isCalendarDate, type Agency, type Rag } from '#contracts';

const SAYS_SOMETHING = /\S/;

/** The sign-in form. */
export class SignInForm {
  @IsString({ message: 'Enter your username' })
  @Length(1, 100, { message: 'Enter your username' })
  username!: string;

  @IsString({ message: 'Enter your password' })
  @Length(1, 200, { message: 'Enter your password' })
  password!: string;

  @IsOptional()
  @IsString()
  returnTo?: string;
}

/** The RAG form: the same rules as the API's RagInput, in words for the page. */
export class RagForm {
  @IsIn(RAG_RATINGS, { message: 'Select red, amber or green' })
  rag!: Rag;

  @IsString({ message: 'Enter why you chose this RAG' })
  @Length(5, 2000, { message: 'Enter why you chose this RAG, in at least 5 characters (at most 2,000)' })
  @Matches(SAYS_SOMETHING, { message: 'Enter why you chose this RAG' })
  reason!: string;
}

export interface FormErrors {
  /** For the error summary: each links to its field. */
  list: { text: string; href: string }[];
  /** For each field's error message. */
  byField: Record<string, string>;
}

/**
 * Checks a posted form against its class; the CSRF field is the guard's, not the form's.
 * Only the class's own fields are kept, so nothing else posted reaches a service.
 */
export async function readForm<T extends object>(type: new () => T, body: unknown, fieldIds: Record<string, string> = {}): Promise<{ form: T; errors: FormErrors | null }> {
  const { _csrf: _ignored, ...fields } = (body ?? {}) as Record<string, unknown>;
  const form = plainToInstance(type, fields);
  const problems: ValidationError[] = await validate(form, { whitelist: true, forbidUnknownValues: true });
  if (!problems.length) return { form, errors: null };
  const byField: Record<string, string> = {};
  for (const problem of problems) byField[problem.property] = Object.values(problem.constraints ?? {})[0] ?? `Check ${problem.property}`;
  return {
    form,
    errors: { byField, list: Object.entries(byField).map(([field, text]) => ({ text, href: `#${fieldIds[field] ?? field}` })) },
  };
}

/** A date (and time) a page asked for, as typed and as read. */
export interface WhenInput {
  /** As typed, to show again. */
  values: { day: string; month: string; year: string; time: string };
  /** The instant, in UTC; null when every field was left empty or there is a problem. */
  instant: string | null;
  /** The calendar date (YYYY-MM-DD), when one was given. */
  date: string | null;
  problem: string | null;
}

const TIME = /^([01]?\d|2[0-3])[:.]([0-5]\d)$/;

/**
 * A GOV.UK date input (`<name>-day`, `-month`, `-year`) and, when `withTime`, a `<name>-time`
 * field (HH:MM, 24-hour) beside it, read as an instant on a clock in England. All empty is no
 * value; anything else must be a real date (and time).
 */
export function readWhen(raw: Record<string, unknown>, name: string, label: string, withTime = false): WhenInput {
  const field = (suffix: string) => (typeof raw[`${name}-${suffix}`] === 'string' ? (raw[`${name}-${suffix}`] as string).trim() : '');
  const values = { day: field('day'), month: field('month'), year: field('year'), time: withTime ? field('time') : '' };
  const none = { values, instant: null, date: null };
  if (!values.day && !values.month && !values.year && !values.time) return { ...none, problem: null };
  if (!values.day || !values.month || !values.year) return { ...none, problem: `${label} must include a day, month and year` };
  const date = `${values.year.padStart(4, '0')}-${values.month.padStart(2, '0')}-${values.day.padStart(2, '0')}`;
  if (!/^\d{1,2}$/.test(values.day) || !/^\d{1,2}$/.test(values.month) || !/^\d{4}$/.test(values.year) || !isCalendarDate(date)) {
    return { ...none, problem: `${label} must be a real date, for example 27 3 2026` };
  }
  const time = TIME.exec(values.time);
  if (values.time && !time) return { ...none, problem: `${label}: enter the time as hours and minutes on the 24-hour clock, for example 14:30` };
  const minutes = time ? Number(time[1]) * 60 + Number(time[2]) : 0;
  try {
    return { values, instant: londonInstant(date, minutes).toISOString(), date, problem: null };
  } catch {
    // The hour the clocks skip in spring.
    return { ...none, problem: `${label}: ${values.time} did not happen on ${date} in England (the clocks went forward); choose another time` };
  }
}

const daysMessage = `Enter how many days the credential lasts, a whole number from 1 to ${MAX_CREDENTIAL_DAYS}`;

/** Issuing a partner credential: the same rules as `npm run partner:credentials -- issue`, in words for the page. */
export class IssueCredentialForm {
  @IsIn(AGENCIES, { message: 'Select the agency the system belongs to' })
  agency!: Agency;

  @IsOrganisationCodeOf('agency', {
    message: ({ object }) => {
      const rule = ORGANISATION_CODE_RULES[(object as IssueCredentialForm).agency];
      return `Enter the organisation’s code: ${rule.name}, for example ${rule.example}`;
    },
  })
  organisation!: string;

  @IsString({ message: 'Enter the partner system’s name' })
  @Matches(PARTNER_SYSTEM_NAME_PATTERN, { message: 'Enter the partner system’s name, in at most 100 characters' })
  system!: string;

  @Type(() => Number)
  @IsInt({ message: daysMessage })
  @Min(1, { message: daysMessage })
  @Max(MAX_CREDENTIAL_DAYS, { message: daysMessage })
  days!: number;
}

const sequenceMessage = (which: string) => `Enter the ${which} event’s number as a whole number, 1 or more, or leave it empty`;

/** A range of the chain to verify, by event number; both may be left empty (the whole chain). */
export class VerificationRangeForm {
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: sequenceMessage('first') })
  @Min(1, { message: sequenceMessage('first') })
  from?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: sequenceMessage('last') })
  @Min(1, { message: sequenceMessage('last') })
  to?: number;

  @IsOptional()
  @IsString()
  @Length(1, 20_000, { message: 'Paste the checkpoint as you kept it' })
  checkpoint?: string;
}

/** Returning a decision to the screener: the same rules as the API's ReturnDecisionInput, in words for the page. */
export class ReturnDecisionForm {
  @IsString({ message: 'Enter what the screener should look at again' })
  @Length(5, 2000, { message: 'Enter what the screener should look at again, in at least 5 characters (at most 2,000)' })
  @Matches(SAYS_SOMETHING, { message: 'Enter what the screener should look at again' })
  reason!: string;
}

/** A manager's override of refused consent: the same rules as the API's ConsentOverrideInput. */
export class ConsentOverrideForm {
  @IsString({ message: 'Enter the safeguarding justification for sharing without consent' })
  @Length(20, 4000, { message: 'Enter the safeguarding justification for sharing without consent, in at least 20 characters (at most 4,000)' })
  @Matches(SAYS_SOMETHING, { message: 'Enter the safeguarding justification for sharing without consent' })
  justification!: string;
}
