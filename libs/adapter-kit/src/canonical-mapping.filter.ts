import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { validationProblem } from '#platform';
import { CanonicalMappingError } from './partner-submissions.js';

/**
 * A partner notice that passed its own checks but maps to an invalid canonical
 * message is still the sender's to fix: 400, with the canonical field paths.
 */
@Catch(CanonicalMappingError)
export class CanonicalMappingFilter implements ExceptionFilter {
  catch(error: CanonicalMappingError, host: ArgumentsHost): void {
    const problem = validationProblem(error.invalid.errors.map((e) => ({ path: `canonical.${e.path}`, message: e.message })));
    host.switchToHttp().getResponse<Response>().status(400).json(problem);
  }
}
