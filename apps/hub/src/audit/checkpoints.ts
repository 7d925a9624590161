import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { generateKeyPairSync } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { CheckpointSigner, type SignedCheckpoint } from '#audit';
import { HubConfig } from '../config.js';
import { productionOrDevelopmentSecret } from '../development-secret.js';
import { AuditCheckpoint } from './audit-checkpoint.entity.js';

/**
 * The hub's Ed25519 key: AUDIT_SIGNING_KEY (PKCS#8 PEM) when set, as in
 * production; otherwise the key file, created on first use for development.
 */
export function loadSigningKey(config: Pick<HubConfig, 'AUDIT_SIGNING_KEY' | 'AUDIT_SIGNING_KEY_FILE' | 'MASH_ENV'>): string {
  return productionOrDevelopmentSecret({
    variable: 'AUDIT_SIGNING_KEY',
    value: config.AUDIT_SIGNING_KEY?.replace(/\\n/g, '\n'),
    file: config.AUDIT_SIGNING_KEY_FILE,
    environment: config.MASH_ENV,
    create: () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  });
}

export function toSignedCheckpoint(row: AuditCheckpoint): SignedCheckpoint {
  return {
    sequence: row.sequence,
    hash: row.hash.trim(),
    signedAt: row.signedAt.toISOString(),
    keyId: row.keyId.trim(),
    publicKey: row.publicKey,
    signature: row.signature,
  };
}

/**
 * Signs the chain head at an interval and on demand, and keeps every
 * checkpoint. An auditor who keeps a copy can later prove the chain still
 * reaches that far with the same hash.
 */
@Injectable()
export class Checkpoints implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(Checkpoints.name);
  readonly signer: CheckpointSigner;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(HubConfig) private readonly config: HubConfig,
  ) {
    this.signer = new CheckpointSigner(loadSigningKey(config));
  }

  onApplicationBootstrap(): void {
    const interval = this.config.AUDIT_CHECKPOINT_INTERVAL_MS;
    this.timer = setInterval(() => {
      this.checkpoint().catch((error: Error) =>
        // The next interval tries again; an auditor can also ask for one.
        this.logger.error({ message: 'scheduled audit checkpoint failed', error: error.message }),
      );
    }, interval);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Signs the current head, unless the newest checkpoint already covers it. */
  async checkpoint(): Promise<SignedCheckpoint> {
    return this.dataSource.transaction(async (manager) => {
      // Read under the head's lock, so the checkpoint names a head that is committed and final.
      const [head] = (await manager.query('SELECT sequence, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE')) as {
        sequence: string;
        hash: string;
      }[];
      const latest = await manager.findOne(AuditCheckpoint, { where: {}, order: { id: 'DESC' } });
      if (latest && latest.sequence === head.sequence && latest.keyId.trim() === this.signer.keyId) return toSignedCheckpoint(latest);
      const signed = this.signer.sign({ sequence: head.sequence, hash: head.hash.trim() });
      await manager.insert(AuditCheckpoint, {
        sequence: signed.sequence,
        hash: signed.hash,
        signedAt: new Date(signed.signedAt),
        keyId: signed.keyId,
        publicKey: signed.publicKey,
        signature: signed.signature,
      });
      return signed;
    });
  }

  async list(page: { offset: number; limit: number }): Promise<{ items: SignedCheckpoint[]; total: number }> {
    const [rows, total] = await this.dataSource.manager.findAndCount(AuditCheckpoint, {
      order: { id: 'DESC' },
      skip: page.offset,
      take: page.limit,
    });
    return { items: rows.map(toSignedCheckpoint), total };
  }

  publicKeyPem(): string {
    return this.signer.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }
}
