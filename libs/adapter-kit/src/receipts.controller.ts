import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { CanonicalUuidPipe } from '#platform';
import { CurrentPartnerSystem, PartnerRoute, type PartnerSystem } from './partner-access.js';
import { ReceiptBook } from './receipt-book.js';

export class ReceiptView {
  @ApiProperty({ format: 'uuid' }) notificationId!: string;
  @ApiProperty({ format: 'uuid' }) correlationId!: string;
  @ApiProperty() partnerReference!: string;
  @ApiProperty({ enum: ['pending', 'queued', 'accepted'], description: 'queued: safe with the hub; accepted: stored by the hub' })
  status!: string;
  @ApiProperty() receivedAt!: string;
  @ApiProperty({ required: false }) acceptedAt?: string;
  @ApiProperty({ required: false, type: [String], description: 'The hub contacts (one per child) it joined' })
  contactIds?: string[];
}

@ApiTags('notifications')
@Controller('notifications')
export class ReceiptsController {
  // The receipt book is this adapter's agency's only (receipts are keyed by agency), and the guard admits only that agency's systems.
  // Receipts are keyed by organisation too: another organisation's receipt is not found, exactly like an unknown id.
  constructor(private readonly receipts: ReceiptBook) {}

  @Get(':id')
  @PartnerRoute()
  @ApiOkResponse({ type: ReceiptView, description: 'Where a submitted notification has got to' })
  @ApiNotFoundResponse({ description: "No such notification from the caller's organisation (another organisation's is not shown)" })
  async get(@Param('id', CanonicalUuidPipe) id: string, @CurrentPartnerSystem() partner: PartnerSystem): Promise<ReceiptView> {
    const receipt = await this.receipts.get(partner.organisation, id);
    if (!receipt) throw new NotFoundException(`No notification with id ${id}`);
    const { fingerprint: _unused, organisation: _caller, ...view } = receipt;
    return view;
  }
}
