/** What the benchmarks share: a fresh database, running the built apps, latency percentiles. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../apps/hub/src/database/data-source.js';
import { ensureDatabaseExists } from '../apps/hub/src/database/ensure-database.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

export const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
export const now = () => performance.now();

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
export function latencies(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  return [50, 95, 99].map((p) => percentile(sorted, p).toFixed(1)).join(' / ');
}

export function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** A built app running as a process on loopback. */
export class App {
  readonly output: string[] = [];
  readonly child: ChildProcess;
  constructor(
    readonly name: string,
    script: string,
    env: Record<string, string>,
    readonly port: number,
    nodeArguments: string[] = [],
  ) {
    this.child = spawn(process.execPath, [...nodeArguments, resolve(ROOT, script)], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => this.output.push(...chunk.split('\n').filter(Boolean).slice(-50)));
    }
  }
  get url() {
    return `http://127.0.0.1:${this.port}`;
  }
  async ready(): Promise<this> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) break;
      const response = await fetch(`${this.url}/health`).catch(() => undefined);
      if (response?.status === 200) return this;
      await sleep(200);
    }
    throw new Error(`${this.name} did not become healthy:\n${this.output.join('\n')}`);
  }
  /** Resident set now and at its peak, in MB. */
  rss(): string {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    const mb = (field: string) => Math.round(Number(/(\d+) kB/.exec(status.split('\n').find((l) => l.startsWith(field)) ?? '')?.[1]) / 1024);
    return `${mb('VmRSS')} MB (peak ${mb('VmHWM')} MB)`;
  }
  stop(): Promise<void> {
    if (this.child.exitCode !== null) return Promise.resolve();
    return new Promise((done) => {
      this.child.once('exit', () => done());
      this.child.kill('SIGTERM');
    });
  }
}

/** The benchmark's own database, emptied and migrated; returns the owner's connection (destroy it when done). */
export async function freshBenchDatabase(ownerUrl: string): Promise<DataSource> {
  await ensureDatabaseExists(ownerUrl);
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  await client.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;');
  await client.end();
  const owner = await createDataSource(ownerUrl).initialize();
  await owner.runMigrations({ transaction: 'each' });
  return owner;
}
