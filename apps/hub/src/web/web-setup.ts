import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { govukFrontendFolder } from './views.js';

/** The pages' own script and styles, beside their templates in the source (the Docker image copies them). */
function pageAssetsFolder(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(folder, 'apps', 'hub', 'src', 'web', 'assets');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(folder);
    if (parent === folder) throw new Error('the staff page assets (apps/hub/src/web/assets) are missing');
    folder = parent;
  }
}

/**
 * What the staff pages need from the HTTP server: form posts read (small ones), and GOV.UK
 * Frontend's compiled CSS, JavaScript, fonts and images under /assets, cached for a year
 * (the pages link CSS and JavaScript with the package version, so an upgrade is fetched anew).
 */
export function configureStaffPages(app: INestApplication): void {
  const express = app as NestExpressApplication;
  express.useBodyParser('urlencoded', { extended: false, limit: '100kb' });
  const cached = { maxAge: '365d', immutable: true, index: false, fallthrough: true, redirect: false } as const;
  // The pages' own files change with the hub, not with the package version: an hour, then asked again.
  express.useStaticAssets(pageAssetsFolder(), { maxAge: '1h', index: false, redirect: false, prefix: '/assets/mash/' });
  express.useStaticAssets(join(govukFrontendFolder(), 'govuk', 'assets'), { ...cached, prefix: '/assets/' });
  // Only the two compiled files from the package's folder, not its sources.
  const govuk = join(govukFrontendFolder(), 'govuk');
  for (const file of ['govuk-frontend.min.css', 'govuk-frontend.min.js']) {
    express.use(`/assets/${file}`, (request: Request, response: Response, next: NextFunction) =>
      request.method === 'GET' || request.method === 'HEAD' ? response.sendFile(join(govuk, file), { maxAge: '365d', immutable: true }) : next(),
    );
  }
}
