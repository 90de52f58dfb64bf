import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { ROOT } from './build';

const RESULTS_DIR = join(ROOT, 'bench', 'results');

/** The machine and software a result was measured with. */
export function environment(redisVersion: string) {
  const version = (pkg: string) =>
    (
      JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  return {
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      os: `${os.type()} ${os.release()} ${os.arch()}`,
    },
    versions: {
      herald: (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string })
        .version,
      node: process.versions.node,
      v8: process.versions.v8,
      redis: redisVersion,
      bullmq: version('bullmq'),
      fastify: version('fastify'),
      ioredis: version('ioredis'),
      opossum: version('opossum'),
      '@nestjs/core': version('@nestjs/core'),
      autocannon: version('autocannon'),
      'notifme-sdk': version('notifme-sdk'),
    },
  };
}

/** The 1-minute load average: other work on the machine skews every figure. */
export function loadAverage(): number {
  return Math.round(os.loadavg()[0]! * 100) / 100;
}

/** Prints each run's 1-minute load average before → after: above ~2.5 here, others shared the CPUs. */
export function printLoad(
  runs: readonly { label: string; loadAverage: { before: number; after: number } }[],
): void {
  console.log(
    `load average (1 min): ${runs.map((r) => `${r.label} ${r.loadAverage.before} → ${r.loadAverage.after}`).join('; ')}`,
  );
}

/** Prints a Markdown table (it pastes into the README as it is). */
export function printTable(
  title: string,
  headers: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c) : c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) =>
    `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const table = [
    line(headers),
    `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`,
    ...cells.map(line),
  ].join('\n');
  console.log(`\n${title}\n\n${table}\n`);
  return table;
}

/** Thousands separated by commas; at most one decimal above 10, two below. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return '–';
  const digits = Math.abs(n) >= 10 ? (Number.isInteger(n) ? 0 : 1) : 2;
  return n.toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** "met" or "MISSED", for a target line. */
export function verdict(ok: boolean): string {
  return ok ? 'met' : 'MISSED';
}

/** One target a benchmark reported, in a form a script can judge (see bench/smoke.ts). */
export interface BenchTarget {
  readonly bench: string;
  readonly name: string;
  readonly measured: number;
  readonly comparator: '≥' | '>' | '≤' | '<';
  readonly target: number;
  readonly met: boolean;
}

const recorded: BenchTarget[] = [];

/** Every target the benchmarks of this process reported so far, in order. */
export function recordedTargets(): readonly BenchTarget[] {
  return recorded;
}

/**
 * The targets of a result — its `targets` ({name: {measured, target, met}}) or its one `target`
 * — each with the comparator and number its `target` text starts with ("≥ 0.8", "< 3× the
 * floor's", "peer's p50 ≥ 10× Herald's"). Each is printed as one `BENCH-TARGET <json>` line
 * and recorded for {@link recordedTargets}.
 */
function reportTargets(bench: string, result: unknown): void {
  const r = result as {
    targets?: Record<string, unknown>;
    target?: unknown;
  };
  const entries = Object.entries(r.targets ?? (r.target ? { [bench]: r.target } : {}));
  for (const [name, value] of entries) {
    const t = value as { measured?: unknown; target?: unknown; met?: unknown };
    const parsed = /(≥|>|≤|<)\s*([\d,]*\.?\d+)/.exec(String(t.target ?? ''));
    if (!parsed) continue;
    const target: BenchTarget = {
      bench,
      name,
      measured: typeof t.measured === 'number' ? t.measured : NaN,
      comparator: parsed[1] as BenchTarget['comparator'],
      target: Number(parsed[2]!.replace(/,/g, '')),
      met: t.met === true,
    };
    recorded.push(target);
    console.log(`BENCH-TARGET ${JSON.stringify(target)}`);
  }
}

/**
 * Writes `bench/results/<name>-<timestamp>.json` and `<name>-latest.json`; returns the first.
 * Also reports the result's targets (see {@link reportTargets}).
 */
export function writeResults(name: string, result: unknown): string {
  reportTargets(name, result);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const path = join(RESULTS_DIR, `${name}-${stamp}.json`);
  const text = `${JSON.stringify(result, null, 2)}\n`;
  writeFileSync(path, text);
  writeFileSync(join(RESULTS_DIR, `${name}-latest.json`), text);
  console.log(`results: ${path}`);
  return path;
}
