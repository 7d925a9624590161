import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsOptional, IsString, Length, Matches } from 'class-validator';
import { POSTCODE_PATTERN, UPRN_PATTERN } from '#contracts';

/** A UK address as the partners' own JSON formats give it: up to five lines and the postcode. */
export class AddressLinesDto {
  @ApiProperty({ type: [String], example: ['1 Test Street', 'Exampletown'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(5)
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  lines!: string[];

  @ApiPropertyOptional({ example: 'EX1 1AA' })
  @IsOptional()
  @Matches(POSTCODE_PATTERN, { message: '$property must be a UK postcode in capitals, e.g. SW1A 1AA' })
  postcode?: string;
}

/** An address with its Unique Property Reference Number where the sender knows it. */
export class PartnerAddressDto extends AddressLinesDto {
  @ApiPropertyOptional({ example: '100012345678', description: 'Unique Property Reference Number, up to 12 digits, where known' })
  @IsOptional()
  @Matches(UPRN_PATTERN, { message: '$property must be a UPRN of 1 to 12 digits' })
  uprn?: string;
}
