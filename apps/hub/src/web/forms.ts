import { plainToInstance } from 'class-transformer';
import { IsIn, IsOptional, IsString, Length, Matches, registerDecorator, validate, type ValidationArguments, type ValidationError } from 'class-validator';
import { IsCalendarDate, RAG_RATINGS, isCalendarDate, type Rag } from '#contracts';

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

const dateProblem = (which: string) => (args: ValidationArguments) => (args.value ? `The ${which} date must be a real date` : `Enter the ${which} date`);

/** A date no earlier than another field's date; said only when both are real dates (each says its own problem otherwise). */
function IsOnOrAfter(other: string, message: string): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isOnOrAfter',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message },
      validator: {
        validate: (value: unknown, args: ValidationArguments) => {
          const earlier = (args.object as Record<string, unknown>)[other];
          return !isCalendarDate(value) || !isCalendarDate(earlier) || value >= earlier;
        },
      },
    });
}

/** The timeliness period: two dates as YYYY-MM-DD, made from the GOV.UK date inputs' day, month and year. */
export class TimelinessPeriodForm {
  @IsCalendarDate({ message: dateProblem('start') })
  from!: string;

  @IsCalendarDate({ message: dateProblem('end') })
  @IsOnOrAfter('from', 'The end date must be the same as or after the start date')
  to!: string;
}

/** A date as YYYY-MM-DD from a GOV.UK date input's day, month and year: '' when all are blank, 'not a date' unless each is a number (the year in full). */
export function dateFromParts(day: unknown, month: unknown, year: unknown): string {
  const [d, m, y] = [day, month, year].map((part) => (typeof part === 'string' ? part.trim() : ''));
  if (!d && !m && !y) return '';
  if (!/^\d{1,2}$/.test(d) || !/^\d{1,2}$/.test(m) || !/^\d{4}$/.test(y)) return 'not a date';
  return `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
}
