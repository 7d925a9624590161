/**
 * Runs the hub and every adapter from the build, side by side, against the
 * Postgres and Redis named in the environment: `npm start`. Output is prefixed
 * with each app's name; Ctrl-C stops them all gracefully; if one stops, all do.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

// This file runs from dist/scripts; the apps are built beside it in dist/apps.
const dist = resolve(import.meta.dirname, '..');
const root = resolve(dist, '..');
const apps = [
  { name: 'hub', script: 'apps/hub/src/main.js' },
  { name: 'police-adapter', script: 'apps/police-adapter/src/main.js' },
  { name: 'housing-adapter', script: 'apps/housing-adapter/src/main.js' },
  { name: 'probation-adapter', script: 'apps/probation-adapter/src/main.js' },
  { name: 'education-adapter', script: 'apps/education-adapter/src/main.js' },
  { name: 'health-adapter', script: 'apps/health-adapter/src/main.js' },
];

// `npm start` is for a developer's machine: ask for development (seed accounts, generated secrets)
// unless MASH_ENV says otherwise. The hub alone defaults to production.
const env = { ...process.env, MASH_ENV: process.env.MASH_ENV || 'development' };

const children = new Map<string, ChildProcess>();
let stopping = false;

function stopAll(signal: NodeJS.Signals): void {
  stopping = true;
  for (const child of children.values()) if (child.exitCode === null) child.kill(signal);
}

for (const app of apps) {
  const child = spawn(process.execPath, [resolve(dist, app.script)], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.set(app.name, child);
  for (const [stream, out] of [[child.stdout!, process.stdout], [child.stderr!, process.stderr]] as const) {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) out.write(`[${app.name}] ${line}\n`);
    });
  }
  child.on('exit', (code, signal) => {
    children.delete(app.name);
    if (!stopping) {
      console.error(`[start-all] ${app.name} stopped (${signal ?? `exit ${code}`}); stopping the others`);
      process.exitCode = code || 1;
      stopAll('SIGTERM');
    }
    if (children.size === 0) process.exit();
  });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stopAll(signal));
