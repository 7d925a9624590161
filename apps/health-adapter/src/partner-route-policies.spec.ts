import type { Type } from '@nestjs/common';
import { PARTNER_ACCESS_POLICY, type PartnerAccessPolicy } from '#adapter-kit';
import { controllersOf, routeInventory } from '#platform';
import { HealthAdapterConfig } from './config.js';
import { HealthAdapterModule } from './health-adapter.module.js';

describe('every health adapter route declares who may call it', () => {
  const controllers: Type[] = controllersOf(HealthAdapterModule.forRoot(new HealthAdapterConfig()));
  const routes = routeInventory<PartnerAccessPolicy>(controllers, PARTNER_ACCESS_POLICY);

  it.each(routes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s has a policy', (_, route) => {
    expect(route.policy).toBeDefined();
  });

  it('leaves public only health and the FHIR CapabilityStatement; sending needs a credential', () => {
    expect(routes.filter((r) => r.policy?.kind === 'public').map((r) => `${r.method} ${r.path}`).sort()).toEqual(['GET /fhir/metadata', 'GET /health']);
    expect(routes.filter((r) => r.policy?.kind === 'partner').map((r) => `${r.method} ${r.path}`).sort()).toEqual(['GET /notifications/:id', 'POST /fhir', 'POST /fhir/Communication']);
  });
});
