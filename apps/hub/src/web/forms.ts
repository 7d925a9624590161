import { plainToInstance } from 'class-transformer';
import { IsIn, IsOptional, IsString, Length, Matches, validate, type ValidationError } from 'class-validator';
import { RAG_RATINGS, type Rag } from '#contracts';

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
