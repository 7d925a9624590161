import { Controller, Get, NotFoundException, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ContactQueries } from './contact-queries.js';
import { ContactDetail, ContactPage, ListContactsQuery } from './contact.dto.js';

@ApiTags('contacts')
@Controller('api/contacts')
export class ContactsController {
  constructor(private readonly contacts: ContactQueries) {}

  @Get()
  @ApiOkResponse({ type: ContactPage, description: 'Contacts, newest first' })
  list(@Query() query: ListContactsQuery): Promise<ContactPage> {
    return this.contacts.list(query);
  }

  @Get(':id')
  @ApiOkResponse({ type: ContactDetail })
  @ApiNotFoundResponse({ description: 'No contact with that id' })
  async get(@Param('id', new ParseUUIDPipe()) id: string): Promise<ContactDetail> {
    const contact = await this.contacts.get(id);
    if (!contact) throw new NotFoundException(`No contact with id ${id}`);
    return contact;
  }
}
