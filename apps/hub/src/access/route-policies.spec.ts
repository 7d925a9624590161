import type { Type } from '@nestjs/common';
import { HubConfig } from '../config.js';
import { HubModule } from '../hub.module.js';
import { controllersOf, routeInventory } from '#platform';
import { PAGE_POLICY } from '../web/page-policy.js';
import { ACCESS_POLICY, type AccessPolicy } from './access-policy.js';

describe('every hub route declares who may call it', () => {
  const controllers: Type[] = controllersOf(HubModule.forRoot(new HubConfig()));
  const routes = routeInventory<AccessPolicy>(controllers, ACCESS_POLICY);

  it('finds the routes', () => {
    expect(routes.length).toBeGreaterThan(10);
    expect(routes).toContainEqual(expect.objectContaining({ method: 'GET', path: '/api/contacts/:id' }));
    expect(routes).toContainEqual(expect.objectContaining({ method: 'GET', path: '/api/audit/events/export' }));
  });

  it.each(routes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s has a policy', (_, route) => {
    expect(route.policy).toBeDefined();
    if (route.policy && !route.policy.public) expect(route.policy.roles.length).toBeGreaterThan(0);
  });

  it('leaves public only sign-in and health, besides the staff pages, whose own page policy decides', () => {
    // Pages are reached with a session cookie, not a bearer token: the page guard applies their policy.
    const pages = new Set(routeInventory<AccessPolicy>(controllers, PAGE_POLICY).filter((r) => r.policy).map((r) => `${r.method} ${r.path}`));
    expect(pages.size).toBeGreaterThan(5);
    const open = routes.filter((r) => r.policy?.public && !pages.has(`${r.method} ${r.path}`)).map((r) => `${r.method} ${r.path}`).sort();
    expect(open).toEqual(['GET /health', 'POST /api/auth/login', 'POST /api/auth/logout', 'POST /api/auth/refresh']);
  });
});
