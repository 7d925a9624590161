/** What the benchmarks share: a fresh database, running the built apps, latency percentiles. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';
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

/** CPU time used so far, in ms: by a process (its threads included), or by every process of a name. */
function processCpuMs(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0; // it has exited
  }
}
const CLOCK_TICKS_PER_SECOND = 100;

function cpuMsOfCommand(command: string): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === command) total += processCpuMs(Number(entry));
    } catch {
      // it has exited
    }
  }
  return total;
}

/** Busy and total CPU time of the whole machine, in ms (all cores). */
function machineCpuMs(): { busy: number; total: number } {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const idle = ticks[3] + ticks[4];
  const total = ticks.slice(0, 8).reduce((sum, value) => sum + value, 0);
  return { busy: ((total - idle) * 1000) / CLOCK_TICKS_PER_SECOND, total: (total * 1000) / CLOCK_TICKS_PER_SECOND };
}

/**
 * Where the machine's CPU went during a phase, per process: the evidence for what limits
 * throughput when every part shares the same cores.
 */
export class CpuMeter {
  private readonly start: Record<string, number>;
  constructor(private readonly apps: App[]) {
    this.start = this.read();
  }
  private read(): Record<string, number> {
    const self = process.cpuUsage();
    const machine = machineCpuMs();
    return {
      ...Object.fromEntries(this.apps.map((app) => [app.name, processCpuMs(app.child.pid!)])),
      Postgres: cpuMsOfCommand('postgres'),
      Redis: cpuMsOfCommand('redis-server'),
      'this benchmark (load and watcher)': (self.user + self.system) / 1000,
      busy: machine.busy,
      total: machine.total,
    };
  }
  /** CPU ms per unit of work, per process, and how busy the machine was. */
  report(units: number, unit: string): string {
    const end = this.read();
    const used = (name: string) => end[name] - this.start[name];
    const names = Object.keys(end).filter((name) => name !== 'busy' && name !== 'total');
    const accounted = names.reduce((sum, name) => sum + used(name), 0);
    const parts = [...names.map((name) => [name, used(name)] as const), ['everything else', used('busy') - accounted] as const];
    return [
      `  CPU ms per ${unit}: ${parts.map(([name, ms]) => `${name} ${(ms / units).toFixed(2)}`).join(', ')}; total ${(used('busy') / units).toFixed(2)}`,
      `  machine busy ${((100 * used('busy')) / used('total')).toFixed(0)}% of ${cpus().length} cores`,
    ].join('\n');
  }
}
