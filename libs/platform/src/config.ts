import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { toFieldErrors } from '#contracts';

export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigurationError';
  }
}

/**
 * Reads an app's settings from the environment into a typed, validated
 * object. Property names are the variable names, so every problem names the
 * variable to fix. Defaults are the class's initial values.
 */
export function loadConfig<T extends object>(type: new () => T, env: NodeJS.ProcessEnv = process.env): T {
  const defaults = new type() as Record<string, unknown>;
  const present: Record<string, unknown> = {};
  for (const key of Object.keys(defaults)) {
    const value = env[key];
    if (value !== undefined && value !== '') present[key] = value;
  }
  const config = plainToInstance(type, { ...defaults, ...present }, { enableImplicitConversion: true });
  const errors = validateSync(config, { forbidUnknownValues: true });
  if (errors.length) {
    throw new ConfigurationError(
      toFieldErrors(errors).map((e) => `${e.path}=${JSON.stringify(present[e.path] ?? defaults[e.path] ?? '')}: ${e.message}`),
    );
  }
  return config;
}
