import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';
import { AGENCIES, type Agency } from './agencies.js';
import { LOCAL_AUTHORITY_CODE_PATTERN, SCHOOL_URN_PATTERN } from './identifiers.js';

/** How each agency names the organisation inside it that sends notifications (a force, a trust, a school, …). */
export interface OrganisationCodeRule {
  /** What the code is, for messages. */
  name: string;
  pattern: RegExp;
  example: string;
}

/**
 * An organisation code is part of a notification's identity (agency +
 * organisation + partner reference), so each agency's codes have one fixed,
 * checked form. All are letters and digits only, safe inside Redis keys.
 */
export const ORGANISATION_CODE_RULES: Record<Agency, OrganisationCodeRule> = {
  police: { name: "the Home Office police force code (2 digits, 01 to 99)", pattern: /^(0[1-9]|[1-9]\d)$/, example: '01' },
  health: { name: 'the NHS ODS organisation code (3 to 6 capital letters and digits)', pattern: /^[A-Z0-9]{3,6}$/, example: 'RJ1' },
  // A virtual school is the council's service, not a school with a URN: it is known by its council's ONS code.
  education: {
    name: "the school's URN (6 digits), or for a virtual school its council's ONS local authority code (a capital E, N, S or W and 8 digits)",
    pattern: new RegExp(`${SCHOOL_URN_PATTERN.source}|${LOCAL_AUTHORITY_CODE_PATTERN.source}`),
    example: '123456',
  },
  housing: { name: "the council's ONS local authority code (a capital E, N, S or W and 8 digits)", pattern: LOCAL_AUTHORITY_CODE_PATTERN, example: 'E09000028' },
  probation: { name: 'the Probation Service region code (a capital letter and 2 digits)', pattern: /^[A-Z]\d{2}$/, example: 'N07' },
};

/** Why `code` is not an organisation code of `agency`; null when it is one. */
export function organisationCodeProblem(agency: Agency, code: unknown): string | null {
  const rule = ORGANISATION_CODE_RULES[agency];
  if (!rule) return `unknown agency ${JSON.stringify(agency)}: one of ${AGENCIES.join(', ')}`;
  if (typeof code === 'string' && rule.pattern.test(code)) return null;
  return `for ${agency}, the organisation code must be ${rule.name}, e.g. ${rule.example}, not ${JSON.stringify(code)}`;
}

/** The property is an organisation code of the agency named by the property `agencyProperty` of the same object. */
export function IsOrganisationCodeOf(agencyProperty: string, options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isOrganisationCodeOf',
      target: target.constructor,
      propertyName,
      constraints: [agencyProperty],
      options,
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          const agency = (args.object as Record<string, unknown>)[agencyProperty] as Agency;
          // An unknown agency is its own field's error.
          return !AGENCIES.includes(agency) || organisationCodeProblem(agency, value) === null;
        },
        defaultMessage(args: ValidationArguments) {
          const agency = (args.object as Record<string, unknown>)[agencyProperty] as Agency;
          const rule = ORGANISATION_CODE_RULES[agency];
          return `$property must be ${rule.name} for ${agency}, e.g. ${rule.example}`;
        },
      },
    });
}
