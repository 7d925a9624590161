import type { DynamicModule, Type } from '@nestjs/common';
import type { Agency } from '#contracts';
import { controllersOf, routeInventory } from '#platform';
import { AdapterKitModule } from '../adapter-kit.module.js';
import type { AdapterConfig } from '../adapter-config.js';
import { PARTNER_ACCESS_POLICY, type PartnerAccessPolicy } from '../partner-access.js';

/** The routes every adapter has from the kit; all need a partner credential except health. */
const KIT_PARTNER_ROUTES = ['GET /inbox', 'GET /notifications/:id', 'POST /inbox/:messageId/acknowledge', 'POST /information-requests/:id/answer'];
const KIT_PUBLIC_ROUTES = ['GET /health'];

/**
 * Every route of an adapter declares who may call it (the guard refuses one that does not), and
 * only health and the adapter's own `publicRoutes` are public. `partnerRoutes` are the adapter's
 * own, e.g. `POST /notifications`.
 */
export function describeRoutePolicies(
  agency: Agency,
  adapter: (config: AdapterConfig) => DynamicModule,
  config: AdapterConfig,
  partnerRoutes: string[],
  publicRoutes: string[] = [],
): void {
  describe(`every ${agency} adapter route declares who may call it`, () => {
    const controllers: Type[] = controllersOf(adapter(config));
    const routes = routeInventory<PartnerAccessPolicy>(controllers, PARTNER_ACCESS_POLICY);
    const named = (list: typeof routes) => list.map((route) => `${route.method} ${route.path}`).sort();

    it("finds the adapter's and the adapter kit's routes", () => {
      // The kit's own controllers are among them, found through the module's imports.
      for (const controller of controllersOf(AdapterKitModule.forAgency(agency, config))) expect(controllers).toContain(controller);
      expect(named(routes)).toEqual([...KIT_PUBLIC_ROUTES, ...publicRoutes, ...KIT_PARTNER_ROUTES, ...partnerRoutes].sort());
    });

    it.each(routes.map((route) => [`${route.method} ${route.path}`, route] as const))('%s has a policy', (_, route) => {
      expect(route.policy).toBeDefined();
    });

    it('leaves public only what is meant to be; every partner route needs a credential', () => {
      expect(named(routes.filter((route) => route.policy?.kind === 'public'))).toEqual([...KIT_PUBLIC_ROUTES, ...publicRoutes].sort());
      expect(named(routes.filter((route) => route.policy?.kind === 'partner'))).toEqual([...KIT_PARTNER_ROUTES, ...partnerRoutes].sort());
    });
  });
}
