import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditTrail } from '../audit/audit-trail.js';
import { HubConfig } from '../config.js';
import { DEVELOPMENT_ACCOUNTS, DEVELOPMENT_PASSWORD, createStaffAccount } from './staff-accounts.js';

/** In development, the documented sign-ins exist; in production they are never created. */
@Injectable()
export class DevelopmentAccounts implements OnApplicationBootstrap {
  private readonly logger = new Logger(DevelopmentAccounts.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
    @Inject(HubConfig) private readonly config: HubConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.MASH_ENV !== 'development') return;
    for (const account of DEVELOPMENT_ACCOUNTS) {
      const created = await this.dataSource.transaction((manager) =>
        createStaffAccount(manager, this.audit, { ...account, password: DEVELOPMENT_PASSWORD }, 'development-seed'),
      );
      if (created) this.logger.warn({ message: 'created a development account', username: account.username });
      // Accounts created before staff had teams get theirs; a team set since is left alone.
      else if (account.team) await this.dataSource.query('UPDATE staff_account SET team = $2 WHERE username = $1 AND team IS NULL', [account.username, account.team]);
    }
  }
}
