import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';

/** One invalid field: where it is (`children[0].dateOfBirth`) and what is wrong with it. */
export interface FieldError {
  path: string;
  message: string;
}

/** Flattens class-validator's nested errors into one entry per failed constraint, with full paths. */
export function toFieldErrors(errors: ValidationError[], parentPath = ''): FieldError[] {
  const result: FieldError[] = [];
  for (const error of errors) {
    const path = joinPath(parentPath, error.property);
    for (const message of Object.values(error.constraints ?? {})) {
      result.push({ path, message });
    }
    if (error.children?.length) result.push(...toFieldErrors(error.children, path));
  }
  return result;
}

function joinPath(parent: string, property: string): string {
  if (/^\d+$/.test(property)) return `${parent}[${property}]`;
  return parent ? `${parent}.${property}` : property;
}

/**
 * Options shared by every edge: unknown fields are refused (not silently
 * dropped, so a sender learns a field name is wrong), and every error is reported.
 */
export const EDGE_VALIDATION_OPTIONS = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  stopAtFirstError: false,
} as const;

/** NUL, or half of a surrogate pair: text Postgres cannot keep as it was given. */
const UNSTORABLE_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
export const UNSTORABLE_TEXT_MESSAGE = 'must not contain NUL characters or unpaired surrogates (text that cannot be stored as sent)';
const EVERY_UNSTORABLE_CHARACTER = new RegExp(UNSTORABLE_TEXT.source, 'g');

/** The text as Postgres will give it back: each NUL or unpaired surrogate becomes U+FFFD, as the driver turns the latter. */
export function asStoredText(text: string): string {
  return text.replace(EVERY_UNSTORABLE_CHARACTER, '\ufffd');
}

/**
 * Every string (value or key) holding text that cannot be stored as sent.
 * JSON can carry "\u0000" and lone "\ud83d" escapes; Postgres refuses the
 * first and the driver rewrites the second, so such a message would be
 * accepted now and fail, or change, later.
 */
export function unstorableTextErrors(value: unknown, path = ''): FieldError[] {
  if (typeof value === 'string') return UNSTORABLE_TEXT.test(value) ? [{ path, message: UNSTORABLE_TEXT_MESSAGE }] : [];
  if (Array.isArray(value)) return value.flatMap((item, index) => unstorableTextErrors(item, `${path}[${index}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => {
      const itemPath = path ? `${path}.${key}` : key;
      return UNSTORABLE_TEXT.test(key) ? [{ path: itemPath, message: UNSTORABLE_TEXT_MESSAGE }] : unstorableTextErrors(item, itemPath);
    });
  }
  return [];
}

export class InvalidMessageError extends Error {
  constructor(
    readonly what: string,
    readonly errors: FieldError[],
  ) {
    super(`${what} is invalid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
    this.name = 'InvalidMessageError';
  }
}

/** Turns a plain object into a validated instance of `type`, or throws with every field error. */
export async function validateMessage<T extends object>(
  type: new () => T,
  plain: unknown,
  what = type.name,
): Promise<T> {
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    throw new InvalidMessageError(what, [{ path: '', message: 'must be a JSON object' }]);
  }
  const unstorable = unstorableTextErrors(plain);
  const instance = plainToInstance(type, plain);
  const errors = [...unstorable, ...toFieldErrors(await validate(instance, EDGE_VALIDATION_OPTIONS))];
  if (errors.length) throw new InvalidMessageError(what, errors);
  return instance;
}
