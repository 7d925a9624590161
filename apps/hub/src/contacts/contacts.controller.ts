import { Controller, Get, NotFoundException, Param, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CanonicalUuidPipe } from '#platform';
import { CurrentStaff } from '../access/access.guard.js';
import { Allow, Roles } from '../access/access-policy.js';
import type { StaffMember } from '../access/staff.js';
import { ContactQueries } from './contact-queries.js';
import { ContactDetail, ContactPage, ListContactsQuery } from './contact.dto.js';

@ApiTags('contacts')
@Controller('api/contacts')
export class ContactsController {
  constructor(private readonly contacts: ContactQueries) {}

  @Get()
  @Allow(...Roles.mashRecords)
  @ApiOkResponse({ type: ContactPage, description: 'Contacts, newest first' })
  list(@Query() query: ListContactsQuery, @CurrentStaff() staff: StaffMember): Promise<ContactPage> {
    return this.contacts.list(query, staff);
  }

  @Get(':id')
  @Allow(...Roles.mashRecords)
  @ApiOkResponse({ type: ContactDetail })
  @ApiNotFoundResponse({ description: 'No contact with that id' })
  async get(@Param('id', CanonicalUuidPipe) id: string, @CurrentStaff() staff: StaffMember): Promise<ContactDetail> {
    const contact = await this.contacts.get(id, staff);
    if (!contact) throw new NotFoundException(`No contact with id ${id}`);
    return contact;
  }
}
