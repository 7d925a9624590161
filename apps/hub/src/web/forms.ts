import { Type, plainToInstance } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min, validate, type ValidationError } from 'class-validator';
import { MAX_CREDENTIAL_DAYS } from '#adapter-kit';
import { londonInstant } from '#calendar';
import {
  AGENCIES,
  CONTACT_OUTCOMES,
  IsOrganisationCodeOf,
  ORGANISATION_CODE_RULES,
  PARTNER_SYSTEM_NAME_PATTERN,
  RAG_RATINGS,
  isCalendarDate,
  type Agency,
  type ContactOutcome,
  type Rag,
} from '#contracts';
import { PRIMARY_NEED_CODES } from '../screening/screening.dto.js';

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

/** Each agency's organisation code, as the request form's hint describes it. */
export const ORGANISATION_CODE_HINTS = AGENCIES.map((agency) => ({ agency, ...ORGANISATION_CODE_RULES[agency] }));

/**
 * The "Request information" form: the same rules as the API's InformationRequestInput (one
 * organisation per form), with what is asked and why in separate fields. The organisation receives
 * both, as written: the question, then why the MASH asks.
 */
export class InformationRequestForm {
  @IsIn(AGENCIES, { message: 'Select the partner agency to ask' })
  agency!: Agency;

  @IsString({ message: 'Enter the organisation’s code' })
  @Length(1, 20, { message: 'Enter the organisation’s code' })
  @IsOrganisationCodeOf('agency', {
    message: (args) => {
      const rule = ORGANISATION_CODE_RULES[(args.object as InformationRequestForm).agency];
      return `Enter ${rule.name}, for example ${rule.example}`;
    },
  })
  organisation!: string;

  @IsString({ message: 'Enter what you are asking' })
  @Length(10, 3000, { message: 'Enter what you are asking, in at least 10 characters (at most 3,000)' })
  @Matches(SAYS_SOMETHING, { message: 'Enter what you are asking' })
  question!: string;

  @IsString({ message: 'Enter why you need to know' })
  @Length(5, 900, { message: 'Enter why you need to know, in at least 5 characters (at most 900)' })
  @Matches(SAYS_SOMETHING, { message: 'Enter why you need to know' })
  why!: string;
}

/** What the organisation is asked: the question, then why, as one text (the API's `question`). */
export function questionWithReason(form: InformationRequestForm): string {
  return `${form.question.trim()}\n\nWhy the MASH is asking: ${form.why.trim()}`;
}

/** Withdrawing an information request: the same rule as the API's WithdrawInput. */
export class WithdrawForm {
  @IsString({ message: 'Enter why you are withdrawing the request' })
  @Length(5, 2000, { message: 'Enter why you are withdrawing the request, in at least 5 characters (at most 2,000)' })
  @Matches(SAYS_SOMETHING, { message: 'Enter why you are withdrawing the request' })
  reason!: string;
}

/** The DfE contact outcomes, in words. */
export const OUTCOME_WORDS: Record<ContactOutcome, { text: string; hint: string }> = {
  no_further_action: { text: 'No further action', hint: 'No services needed from children’s social care' },
  advice_and_signposting: { text: 'Advice and signposting', hint: 'To the family or the referrer, or to universal services' },
  early_help: { text: 'Early help', hint: 'An early help assessment or service, with the family’s agreement' },
  single_assessment_s17: { text: 'Single assessment (section 17, child in need)', hint: 'Referral to children’s social care for an assessment' },
  strategy_discussion_s47: { text: 'Strategy discussion (section 47 enquiry)', hint: 'Reasonable cause to suspect significant harm' },
  request_to_become_looked_after: { text: 'Request to become looked after', hint: 'The child may need to be accommodated' },
  private_fostering: { text: 'Private fostering', hint: 'An arrangement the council must assess' },
};

/** The DfE children in need census primary need codes, in words. */
export const PRIMARY_NEED_WORDS: Record<(typeof PRIMARY_NEED_CODES)[number], string> = {
  N0: 'N0 Not stated',
  N1: 'N1 Abuse or neglect',
  N2: 'N2 Child’s disability or illness',
  N3: 'N3 Parental disability or illness',
  N4: 'N4 Family in acute stress',
  N5: 'N5 Family dysfunction',
  N6: 'N6 Socially unacceptable behaviour',
  N7: 'N7 Low income',
  N8: 'N8 Absent parenting',
  N9: 'N9 Cases other than children in need',
};

export const LEVELS_OF_NEED = [
  { value: 1, text: 'Level 1', hint: 'Universal: needs met by services all children use' },
  { value: 2, text: 'Level 2', hint: 'Additional needs: early help' },
  { value: 3, text: 'Level 3', hint: 'Complex needs: targeted or statutory support' },
  { value: 4, text: 'Level 4', hint: 'Acute needs: specialist or statutory intervention' },
] as const;

/** The decision form: the same code lists and rules as the API's DecisionInput, in words for the page. */
export class DecisionForm {
  @IsIn(CONTACT_OUTCOMES, { message: 'Select the outcome' })
  outcome!: ContactOutcome;

  @IsIn(PRIMARY_NEED_CODES, { message: 'Select the primary need' })
  primaryNeed!: (typeof PRIMARY_NEED_CODES)[number];

  @Type(() => Number)
  @IsIn(LEVELS_OF_NEED.map((level) => level.value), { message: 'Select the level of need' })
  levelOfNeed!: number;

  @IsString({ message: 'Enter the reasons for the decision' })
  @Length(20, 10000, { message: 'Enter the reasons for the decision, in at least 20 characters (at most 10,000)' })
  @Matches(SAYS_SOMETHING, { message: 'Enter the reasons for the decision' })
  rationale!: string;
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
