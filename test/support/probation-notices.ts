import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The realistic risk-to-children notice documented in the probation adapter's README. */
const FIXTURE = readFileSync(resolve(import.meta.dirname, '../fixtures/probation-notice.json'), 'utf8');

let nextNoticeNumber = 1 + Math.floor(Math.random() * 9000);

/** A fresh copy of the fixture notice under a notice number not yet used in this run, with `overrides` on top. */
export function probationNotice(overrides: Record<string, unknown> = {}) {
  const notice = JSON.parse(FIXTURE) as Record<string, any>;
  return { ...notice, noticeNumber: nextNoticeNumber++, ...overrides } as Record<string, any>;
}
