// Installs dependencies when they are missing or older than the lock file, so
// `npm start` and `npm test` work on a fresh clone. Plain JavaScript: it runs
// before anything is installed. `npm install` rather than `npm ci`: see .ci/run.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const installed = 'node_modules/.package-lock.json';
if (!existsSync(installed) || statSync('package-lock.json').mtimeMs > statSync(installed).mtimeMs) {
  console.log('[setup] installing dependencies');
  execSync('npm install --no-audit --no-fund', { stdio: 'inherit' });
}
