import type { Browser } from 'playwright-core';
import { launchBrowser } from './browser.js';
import { TEST_APP_DATABASE_URL, TEST_REDIS_URL, deleteRedisKeys, freePort, resetDatabase, uniquePrefix } from './environment.js';
import { issueTestCredential, type TestCredential } from './partner-credentials.js';
import { APPS, AppProcess, hubEnv } from './processes.js';

/** What a screener's pages are tested against: the hub, the police and health adapters, a force's and a trust's credentials, and the browser. */
export interface PagesSystem {
  prefix: string;
  hub: AppProcess;
  police: AppProcess;
  health: AppProcess;
  /** Force 01. */
  force: TestCredential;
  /** Trust RJ1. */
  trust: TestCredential;
  browser: Browser;
}

/** On a fresh database and a queue prefix of its own; deadlines are set within 200 ms of a contact opening. */
export async function startPagesSystem(): Promise<PagesSystem> {
  const browser = await launchBrowser();
  await resetDatabase();
  const prefix = uniquePrefix();
  const env = { DATABASE_URL: TEST_APP_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, DEADLINE_POLL_INTERVAL_MS: '200' };
  const [force, trust] = await Promise.all([
    issueTestCredential(prefix, 'police', { organisation: '01', system: 'Exampleshire Police PPN' }),
    issueTestCredential(prefix, 'health', { organisation: 'RJ1', system: 'Example Hospitals EPR' }),
  ]);
  const hub = new AppProcess('hub', APPS.hub, hubEnv(env), await freePort());
  const police = new AppProcess('police-adapter', APPS.policeAdapter, { ...env, LOG_LEVEL: 'warn' }, await freePort());
  const health = new AppProcess('health-adapter', APPS.healthAdapter, { ...env, LOG_LEVEL: 'warn' }, await freePort());
  await Promise.all([hub.ready(60_000), police.ready(60_000), health.ready(60_000)]);
  return { prefix, hub, police, health, force, trust, browser };
}

export async function stopPagesSystem(system: PagesSystem | undefined): Promise<void> {
  if (!system) return;
  await system.browser.close();
  await Promise.all([system.hub.stop(), system.police.stop(), system.health.stop()]);
  await deleteRedisKeys(system.prefix);
}
