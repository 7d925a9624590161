import { registerDecorator, type ValidationOptions } from 'class-validator';

/**
 * NHS number: 10 digits, the last a modulus 11 check digit over the first nine
 * (weights 10 down to 2). A remainder giving 11 means a check digit of 0; one
 * giving 10 means the number is invalid. Spaces, as printed, are ignored.
 */
export function isValidNhsNumber(value: string): boolean {
  const digits = value.replace(/\s+/g, '');
  if (!/^\d{10}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(digits[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 10) return false;
  return (check === 11 ? 0 : check) === Number(digits[9]);
}

export function normaliseNhsNumber(value: string): string {
  return value.replace(/\s+/g, '');
}

export function IsNhsNumber(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isNhsNumber',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: '$property must be a 10-digit NHS number with a valid check digit',
        ...options,
      },
      validator: { validate: (value: unknown) => typeof value === 'string' && isValidNhsNumber(value) },
    });
}
