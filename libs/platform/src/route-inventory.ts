import { RequestMethod, type DynamicModule, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';

/** An HTTP route a controller declares, with the access policy stored under the app's policy key. */
export interface RouteEntry<Policy> {
  controller: string;
  handler: string;
  method: string;
  path: string;
  policy: Policy | undefined;
}

/**
 * Every HTTP route the controllers declare, read from Nest's route metadata,
 * with the policy under `policyKey` (the handler's, else the controller's):
 * what deny-by-default tests enumerate.
 */
export function routeInventory<Policy>(controllers: Type[], policyKey: string): RouteEntry<Policy>[] {
  const routes: RouteEntry<Policy>[] = [];
  for (const controller of controllers) {
    const base = (Reflect.getMetadata(PATH_METADATA, controller) as string | undefined) ?? '';
    const classPolicy = Reflect.getMetadata(policyKey, controller) as Policy | undefined;
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const handler = (controller.prototype as Record<string, unknown>)[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (path === undefined || method === undefined) continue; // a queue handler or a helper, not a route
      routes.push({
        controller: controller.name,
        handler: name,
        method: RequestMethod[method],
        path: `/${[base, path].map((part) => part.replace(/^\/|\/$/g, '')).filter(Boolean).join('/')}`,
        policy: (Reflect.getMetadata(policyKey, handler) as Policy | undefined) ?? classPolicy,
      });
    }
  }
  return routes;
}

/** The controllers of a module and of every module it imports, at any depth. */
export function controllersOf(root: DynamicModule | Type): Type[] {
  const found = new Set<Type>();
  const seen = new Set<unknown>();
  const visit = (module: unknown) => {
    if (!module || seen.has(module)) return;
    seen.add(module);
    const dynamic = typeof module === 'object' ? (module as DynamicModule) : undefined;
    const type = (dynamic?.module ?? module) as Type;
    for (const controller of [...((Reflect.getMetadata('controllers', type) as Type[] | undefined) ?? []), ...(dynamic?.controllers ?? [])]) {
      found.add(controller);
    }
    for (const imported of [...((Reflect.getMetadata('imports', type) as unknown[] | undefined) ?? []), ...(dynamic?.imports ?? [])]) {
      visit(imported);
    }
  };
  visit(root);
  return [...found];
}
