import { IsString, Length, Matches } from 'class-validator';
import { PERSON_NAME_MESSAGE, PERSON_NAME_PATTERN } from './identifiers.js';

/**
 * A given or family name as every format here takes it: text of 1 to 100 letters, spaces,
 * apostrophes, hyphens and full stops.
 */
export function IsPersonName(): PropertyDecorator {
  // Applied in the order the three stood as separate decorators (bottom up), so errors read the same.
  const rules = [Matches(PERSON_NAME_PATTERN, { message: PERSON_NAME_MESSAGE }), Length(1, 100), IsString()];
  return (target, property) => rules.forEach((rule) => rule(target, property));
}
