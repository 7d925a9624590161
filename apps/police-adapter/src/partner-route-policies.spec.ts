import { Controller, Get, Post } from '@nestjs/common';
import { PARTNER_ACCESS_POLICY, PartnerRoute, Public, type PartnerAccessPolicy } from '#adapter-kit';
import { routeInventory } from '#platform';
import { describeRoutePolicies } from '../../../libs/adapter-kit/src/testing/route-policies.js';
import { PoliceAdapterConfig } from './config.js';
import { PoliceAdapterModule } from './police-adapter.module.js';

describeRoutePolicies('police', (config) => PoliceAdapterModule.forRoot(config), new PoliceAdapterConfig(), ['POST /notifications']);

describe('the route inventory', () => {
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
