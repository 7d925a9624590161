import { BadRequestException, Body, Controller, Delete, Get, Param, Put, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentStaff } from '../access/access.guard.js';
import { Allow, Roles } from '../access/access-policy.js';
import { staffActor } from '../access/staff-actor.js';
import type { StaffMember } from '../access/staff.js';
import { AllocationInput, AllocationPage, AllocationView, CASE_REFERENCE_PATTERN, ListAllocationsQuery } from './allocation.dto.js';
import { AllocationRegister } from './allocations.js';

function caseReference(value: string): string {
  if (!CASE_REFERENCE_PATTERN.test(value)) {
    throw new BadRequestException({ message: 'Validation failed', errors: [{ path: 'caseReference', message: 'caseReference must be 1 to 100 letters, digits and / _ . -' }] });
  }
  return value;
}

/** The case management system's allocations, between its nightly exports (npm run allocations:import). */
@ApiTags('allocations')
@Controller('api/allocations')
export class AllocationsController {
  constructor(private readonly allocations: AllocationRegister) {}

  @Get()
  @Allow(...Roles.allocations)
  @ApiOkResponse({ type: AllocationPage })
  list(@Query() query: ListAllocationsQuery): Promise<AllocationPage> {
    return this.allocations.list(query.after, query.pageSize);
  }

  @Put(':caseReference')
  @Allow(...Roles.allocations)
  @ApiOkResponse({ type: AllocationView, description: 'The child is allocated: contacts opened for them go to the worker and team' })
  put(@Param('caseReference') reference: string, @Body() input: AllocationInput, @CurrentStaff() staff: StaffMember): Promise<AllocationView> {
    return this.allocations.put(caseReference(reference), input, staffActor(staff));
  }

  @Delete(':caseReference')
  @Allow(...Roles.allocations)
  @ApiOkResponse({ type: AllocationView, description: 'The allocation ended: contacts for the child wait in the MASH again' })
  @ApiNotFoundResponse({ description: 'No current allocation with that case reference' })
  end(@Param('caseReference') reference: string, @CurrentStaff() staff: StaffMember): Promise<AllocationView> {
    return this.allocations.end(caseReference(reference), staffActor(staff));
  }
}
