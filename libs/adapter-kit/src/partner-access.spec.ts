import { jest } from '@jest/globals';
import { ForbiddenException, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import type { RateLimiter } from '#platform';
import { AdapterConfig } from './adapter-config.js';
import { PartnerAccessGuard, PartnerAccessRefusals, PartnerRoute, Public } from './partner-access.js';
import type { CredentialCheck, PartnerCredential, PartnerCredentialStore } from './partner-credentials.js';

const credential = (agency: PartnerCredential['agency']): PartnerCredential => ({
  id: '0b5f3c3e-1d2a-4c4b-9e55-2f3a4b5c6d7e',
  agency,
  organisation: { police: '01', health: 'RJ1', education: '123456', housing: 'E09000028', probation: 'N07' }[agency],
  system: `${agency} system`,
  createdAt: '2026-01-01T00:00:00.000Z',
  expiresAt: '2099-01-01T00:00:00.000Z',
  revokedAt: null,
});

class Routes {
  undeclared() {}
  @Public()
  open() {}
  @PartnerRoute()
  partner() {}
}

function setUp(result: CredentialCheck) {
  const check = jest.fn(async () => result);
  const record = jest.fn(async () => undefined);
  const guard = new PartnerAccessGuard(
    new Reflector(),
    'police',
    { check } as unknown as PartnerCredentialStore,
    { record } as unknown as PartnerAccessRefusals,
    { consume: jest.fn(async () => undefined) } as unknown as RateLimiter,
    new AdapterConfig(),
  );
  const call = (handler: keyof Routes, authorization?: string) => {
    const request: Record<string, unknown> = {
      method: 'POST',
      path: '/notifications',
      route: { path: '/notifications' },
      header: (name: string) => (name === 'authorization' ? authorization : undefined),
    };
    const response = { setHeader: jest.fn() };
    const context = new ExecutionContextHost([request, response, () => undefined], Routes, Routes.prototype[handler]);
    return { outcome: guard.canActivate(context), request, response };
  };
  return { call, check, record };
}

describe('the partner access guard', () => {
  it('refuses a route that declares no policy, and records the refusal', async () => {
    const { call, check, record } = setUp({ ok: true, credential: credential('police') });
    await expect(call('undeclared', 'Bearer anything').outcome).rejects.toThrow(ForbiddenException);
    expect(check).not.toHaveBeenCalled();
    expect(record).toHaveBeenCalledWith(expect.objectContaining({ reason: 'no_route_policy', status: 403, method: 'POST', route: '/notifications' }));
  });

  it('lets anyone call a public route', async () => {
    const { call, check, record } = setUp({ ok: true, credential: credential('police') });
    await expect(call('open').outcome).resolves.toBe(true);
    expect(check).not.toHaveBeenCalled();
    expect(record).not.toHaveBeenCalled();
  });

  it('refuses a partner route without a credential with 401 and a Bearer challenge', async () => {
    const { call, record } = setUp({ ok: true, credential: credential('police') });
    const { outcome, response } = call('partner');
    await expect(outcome).rejects.toThrow(UnauthorizedException);
    expect(response.setHeader).toHaveBeenCalledWith('WWW-Authenticate', 'Bearer realm="MASH police adapter"');
    expect(record).toHaveBeenCalledWith({ credentialId: null, claimedAgency: null, claimedOrganisation: null, reason: 'no_credential', status: 401, method: 'POST', route: '/notifications' });
  });

  it("refuses another agency's valid credential with 403, naming both agencies and the credential's organisation", async () => {
    const { call, record } = setUp({ ok: true, credential: credential('health') });
    await expect(call('partner', 'Bearer mash_token').outcome).rejects.toThrow(
      new ForbiddenException('this credential belongs to health (organisation RJ1); the police adapter accepts only police systems'),
    );
    expect(record).toHaveBeenCalledWith(
      expect.objectContaining({ reason: 'other_agency', status: 403, claimedAgency: 'health', claimedOrganisation: 'RJ1', credentialId: credential('health').id }),
    );
  });

  it('admits its own agency and tells the route which system of which organisation called', async () => {
    const { call, check, record } = setUp({ ok: true, credential: credential('police') });
    const { outcome, request } = call('partner', 'Bearer mash_token');
    await expect(outcome).resolves.toBe(true);
    expect(check).toHaveBeenCalledWith('mash_token');
    expect(request.partnerSystem).toEqual({ credentialId: credential('police').id, agency: 'police', organisation: '01', system: 'police system' });
    expect(record).not.toHaveBeenCalled();
  });
});
