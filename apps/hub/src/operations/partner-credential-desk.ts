import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import type { Agency } from '#contracts';
import { PartnerCredentialStore, credentialStatus, type IssuedCredential, type PartnerCredential } from '#adapter-kit';
import { staffActor } from '../access/staff-actor.js';
import type { StaffMember } from '../access/staff.js';
import { AuditTrail } from '../audit/audit-trail.js';
import { HubConfig } from '../config.js';
import { HUB_REDIS } from '../hub.tokens.js';

/**
 * Partner systems' credentials for an admin: the same store the adapters check and
 * `npm run partner:credentials` writes (the adapters' Redis under QUEUE_PREFIX, which the hub
 * shares). Issuing and revoking are recorded in the hub's audit trail, in the transaction that
 * makes the change: if the event cannot be written, the token is never shown, or the revocation
 * is reported as failed.
 */
@Injectable()
export class PartnerCredentialDesk {
  private readonly store: PartnerCredentialStore;

  constructor(
    @Inject(HUB_REDIS) redis: Redis,
    @Inject(HubConfig) config: HubConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
  ) {
    this.store = new PartnerCredentialStore(redis, config.QUEUE_PREFIX);
  }

  /** Every credential, or one agency's; never a secret or its hash. */
  list(agency?: Agency): Promise<PartnerCredential[]> {
    return this.store.list(agency);
  }

  /**
   * The organisations that can collect from their inbox now (an active credential), each with its
   * systems' names, by agency then code: whom a screener can usefully ask.
   */
  async connectedOrganisations(now = new Date()): Promise<{ agency: Agency; organisation: string; systems: string[] }[]> {
    const connected = new Map<string, { agency: Agency; organisation: string; systems: string[] }>();
    for (const credential of await this.store.list()) {
      if (credentialStatus(credential, now) !== 'active') continue;
      const key = `${credential.agency} ${credential.organisation}`;
      const entry = connected.get(key) ?? { agency: credential.agency, organisation: credential.organisation, systems: [] };
      if (!entry.systems.includes(credential.system)) entry.systems.push(credential.system);
      connected.set(key, entry);
    }
    return [...connected.values()].sort((a, b) => a.agency.localeCompare(b.agency) || a.organisation.localeCompare(b.organisation));
  }

  get(id: string): Promise<PartnerCredential | null> {
    return this.store.get(id);
  }

  /**
   * Checked as the command checks it (InvalidCredentialRequestError says what is wrong). The
   * token is for showing once, and only once the event is written: if it cannot be, nobody ever
   * holds the secret, and the credential is revoked so it does not look usable in the list.
   */
  async issue(request: { agency: Agency; organisation: string; system: string; days: number }, staff: StaffMember): Promise<IssuedCredential> {
    const issued = await this.store.issue(request);
    const { credential } = issued;
    try {
      await this.dataSource.transaction((manager) =>
        this.audit.record(manager, {
          actor: staffActor(staff),
          action: 'partner_credential.issued',
          subject: { type: 'partner_credential', id: credential.id },
          purpose: 'operations',
          details: { agency: credential.agency, organisation: credential.organisation, system: credential.system, expiresAt: credential.expiresAt },
        }),
      );
    } catch (error) {
      await this.store.revoke(credential.id).catch(() => undefined);
      throw error;
    }
    return issued;
  }

  /**
   * Revokes at once and for good; null when there is no such credential. The event is written
   * first and the revocation made before it commits, so a failure of either leaves neither.
   * A credential already revoked (here, or by another admin at the same moment) is not recorded again.
   */
  async revoke(id: string, staff: StaffMember): Promise<{ outcome: 'revoked' | 'already_revoked'; credential: PartnerCredential } | null> {
    const credential = await this.store.get(id);
    if (!credential) return null;
    if (credential.revokedAt) return { outcome: 'already_revoked', credential };
    const now = new Date();
    try {
      return await this.dataSource.transaction(async (manager) => {
        await this.audit.record(manager, {
          actor: staffActor(staff),
          action: 'partner_credential.revoked',
          subject: { type: 'partner_credential', id },
          purpose: 'operations',
          details: { agency: credential.agency, organisation: credential.organisation, system: credential.system, revokedAt: now.toISOString() },
        });
        const result = await this.store.revoke(id, now);
        if (result?.outcome !== 'revoked') throw new NotRevokedHere(result);
        return result;
      });
    } catch (error) {
      if (error instanceof NotRevokedHere) return error.result;
      throw error;
    }
  }
}

/** Rolls the event back: someone else revoked the credential between the look and the act. */
class NotRevokedHere extends Error {
  constructor(readonly result: Awaited<ReturnType<PartnerCredentialStore['revoke']>>) {
    super('already revoked');
  }
}
