import { Controller, Get, Post, type Type } from '@nestjs/common';
import { AdapterKitModule, PARTNER_ACCESS_POLICY, PartnerRoute, Public, type PartnerAccessPolicy } from '#adapter-kit';
import { controllersOf, routeInventory } from '#platform';
import { PoliceAdapterConfig } from './config.js';
import { PoliceAdapterModule } from './police-adapter.module.js';

describe('every police adapter route declares who may call it', () => {
  const config = new PoliceAdapterConfig();
  const controllers: Type[] = controllersOf(PoliceAdapterModule.forRoot(config));
  const routes = routeInventory<PartnerAccessPolicy>(controllers, PARTNER_ACCESS_POLICY);

  it("finds the adapter's and the adapter kit's routes", () => {
    // The kit's own controllers are among them, found through the module's imports.
    for (const controller of controllersOf(AdapterKitModule.forAgency('police', config))) expect(controllers).toContain(controller);
    expect(routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      'GET /health',
      'GET /inbox',
      'GET /notifications/:id',
      'POST /inbox/:messageId/acknowledge',
      'POST /notifications',
    ]);
  });

  it.each(routes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s has a policy', (_, route) => {
    expect(route.policy).toBeDefined();
  });

  it('leaves public only health; every partner route needs a credential', () => {
    expect(routes.filter((r) => r.policy?.kind === 'public').map((r) => `${r.method} ${r.path}`)).toEqual(['GET /health']);
    expect(routes.filter((r) => r.policy?.kind === 'partner').map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      'GET /inbox',
      'GET /notifications/:id',
      'POST /inbox/:messageId/acknowledge',
      'POST /notifications',
    ]);
  });

  it('notices a route that declares nothing, and reads a policy from the controller too', () => {
    @Controller('loose')
    class LooseController {
      @Get()
      undeclared() {}
      @Post()
      @PartnerRoute()
      declared() {}
    }
    @Controller('open')
    @Public()
    class OpenController {
      @Get()
      anything() {}
    }
    expect(routeInventory<PartnerAccessPolicy>([LooseController, OpenController], PARTNER_ACCESS_POLICY)).toEqual([
      expect.objectContaining({ method: 'GET', path: '/loose', policy: undefined }),
      expect.objectContaining({ method: 'POST', path: '/loose', policy: { kind: 'partner' } }),
      expect.objectContaining({ method: 'GET', path: '/open', policy: { kind: 'public' } }),
    ]);
  });
});
