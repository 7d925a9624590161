import { type Type } from '@nestjs/common';
import { AdapterKitModule, PARTNER_ACCESS_POLICY, type PartnerAccessPolicy } from '#adapter-kit';
import { controllersOf, routeInventory } from '#platform';
import { EducationAdapterConfig } from './config.js';
import { EducationAdapterModule } from './education-adapter.module.js';

describe('every education adapter route declares who may call it', () => {
  const config = new EducationAdapterConfig();
  const controllers: Type[] = controllersOf(EducationAdapterModule.forRoot(config));
  const routes = routeInventory<PartnerAccessPolicy>(controllers, PARTNER_ACCESS_POLICY);

  it("finds the adapter's and the adapter kit's routes", () => {
    // The kit's own controllers are among them, found through the module's imports.
    for (const controller of controllersOf(AdapterKitModule.forAgency('education', config))) expect(controllers).toContain(controller);
    expect(routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual(['GET /health', 'GET /notifications/:id', 'POST /notifications']);
  });

  it.each(routes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s has a policy', (_, route) => {
    expect(route.policy).toBeDefined();
  });

  it('leaves public only health; every partner route needs a credential', () => {
    expect(routes.filter((r) => r.policy?.kind === 'public').map((r) => `${r.method} ${r.path}`)).toEqual(['GET /health']);
    expect(routes.filter((r) => r.policy?.kind === 'partner').map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      'GET /notifications/:id',
      'POST /notifications',
    ]);
  });
});
