import { ValidateIf, registerDecorator, type ValidationArguments } from 'class-validator';

/**
 * The property is required when `condition` holds and must be absent when it
 * does not: for the parts of a message that belong to one kind of it, so a part
 * sent under the wrong kind is refused rather than dropped. The property's other
 * validators run only when it is required or present.
 */
export function RequiredOnlyWhen<T extends object>(condition: (object: T) => boolean, when: string) {
  return (target: object, propertyName: string) => {
    const present = (object: T) => (object as Record<string, unknown>)[propertyName] !== undefined;
    ValidateIf((object: T) => condition(object) || present(object))(target, propertyName);
    registerDecorator({
      name: 'requiredOnlyWhen',
      target: target.constructor,
      propertyName,
      constraints: [when],
      validator: {
        validate(value: unknown, args: ValidationArguments): boolean {
          return condition(args.object as T) === (value !== undefined);
        },
        defaultMessage(args: ValidationArguments): string {
          return args.value === undefined ? `$property is required when ${when}` : `$property must be absent unless ${when}`;
        },
      },
    });
  };
}
