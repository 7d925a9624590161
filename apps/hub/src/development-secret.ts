import { Logger } from '@nestjs/common';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A secret the hub is given in production through `variable`. In development
 * it is kept in `file`, made by `create` on first use, readable by its owner
 * only; production refuses to start without the variable.
 */
export function productionOrDevelopmentSecret(
  secret: { variable: string; value: string | undefined; file: string; environment: string; create: () => string },
  logger = new Logger('Secrets'),
): string {
  if (secret.value) return secret.value;
  if (secret.environment === 'production') throw new Error(`${secret.variable} must be set in production`);
  if (!existsSync(secret.file)) {
    mkdirSync(dirname(secret.file), { recursive: true });
    writeFileSync(secret.file, secret.create(), { mode: 0o600, flag: 'wx' });
    logger.warn({ message: `created a development secret; in production set ${secret.variable}`, file: secret.file });
  }
  chmodSync(secret.file, 0o600);
  return readFileSync(secret.file, 'utf8');
}
