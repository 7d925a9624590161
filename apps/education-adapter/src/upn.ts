import { registerDecorator, type ValidationOptions } from 'class-validator';
import { UPN_PATTERN } from '#contracts';

/** The DfE's check letters: the remainder mod 23 indexes this list (I, O and S are never used). */
const CHECK_LETTERS = 'ABCDEFGHJKLMNPQRTUVWXYZ';

/**
 * A Unique Pupil Number whose first character is its check letter: characters
 * 2 to 13 weighted by their position (2 to 13), summed, modulo 23. In a
 * temporary UPN the 13th character is a letter, valued by its place in the
 * same list.
 */
export function isValidUpn(upn: unknown): boolean {
  return typeof upn === 'string' && UPN_PATTERN.test(upn) && upn[0] === upnCheckLetter(upn.slice(1));
}

/** The check letter a UPN with these 12 characters (positions 2 to 13) must start with; for fixtures and tests. */
export function upnCheckLetter(rest: string): string {
  let sum = 0;
  for (let position = 2; position <= 13; position++) {
    const character = rest[position - 2];
    sum += (/\d/.test(character) ? Number(character) : CHECK_LETTERS.indexOf(character)) * position;
  }
  return CHECK_LETTERS[sum % 23];
}

export function IsUpn(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isUpn',
      target: target.constructor,
      propertyName,
      options: { message: '$property must be a 13-character Unique Pupil Number whose check letter is right', ...options },
      validator: { validate: isValidUpn },
    });
}
