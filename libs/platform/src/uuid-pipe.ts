import { BadRequestException, Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { isUuidText } from '#contracts';

/** A UUID route parameter, refused unless it is one and passed on in its canonical (lower-case) form. */
@Injectable()
export class CanonicalUuidPipe implements PipeTransform<unknown, string> {
  transform(value: unknown, metadata: ArgumentMetadata): string {
    if (!isUuidText(value)) throw new BadRequestException(`${metadata.data ?? 'the id'} must be a UUID`);
    return value.toLowerCase();
  }
}
