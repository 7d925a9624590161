import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/**
 * A list's `pageSize` query parameter: a whole number from 1 to `maximum`, read from the query
 * string's text; `defaultSize` (the property's initial value) when it is not given.
 */
export function PageSizeParameter(maximum: number, defaultSize: number): PropertyDecorator {
  return applyDecorators(ApiPropertyOptional({ minimum: 1, maximum, default: defaultSize }), IsOptional(), Type(() => Number), IsInt(), Min(1), Max(maximum));
}
