/**
 * Where a process's CPU went, from a `--cpu-prof` profile: self time by package (or Herald
 * folder) and the hottest functions. Profiles come from any benchmark run with
 * BENCH_CPU_PROF=1 (bench/results/profiles/<label>.cpuprofile).
 *
 *   node -r ts-node/register/transpile-only bench/profile-summary.ts <file.cpuprofile> [top]
 *
 * INCLUSIVE=1 adds each function's total time (itself and what it calls synchronously).
 * SKIP_SECONDS=<s> leaves out the first seconds of the profile (the process starting: loading
 * modules is a quarter of a short run's samples and says nothing about a request's cost).
 * CALLERS=<text> adds the synchronous stacks (up to 12 frames) that lead to the functions whose
 * label contains <text>, by self time: who calls a hot native such as `writeUtf8String`.
 */
import { readFileSync } from 'node:fs';
import { printTable } from './support/report';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly children?: number[];
}

interface CpuProfile {
  readonly nodes: ProfileNode[];
  readonly samples: number[];
  readonly timeDeltas: number[];
}

/** `node_modules/<package>`, Herald's `src/<folder>`, `node:<module>`, or V8's own bucket. */
function ownerOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const herald = /\/(src(?:-candidate-[0-9a-f]+)?\/[^/]+)\//.exec(url);
  if (herald) return `herald ${herald[1]}`;
  if (url.startsWith('node:')) return url.replace(/^node:(internal\/)?([^/]+).*/, 'node:$2');
  return url.split('/').slice(-2).join('/');
}

function summarise(path: string, top: number): void {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  const skipUs = Number(process.env.SKIP_SECONDS ?? 0) * 1e6;
  let elapsedUs = 0;
  profile.samples.forEach((id, i) => {
    elapsedUs += profile.timeDeltas[i] ?? 0;
    if (elapsedUs < skipUs) return;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const busy = [...selfUs]
    .filter(([id]) => byId.get(id)!.callFrame.functionName !== '(idle)')
    .reduce((a, [, us]) => a + us, 0);

  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const label = (id: number) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    return `${functionName || '(anonymous)'} ${ownerOf(url, functionName)}:${lineNumber + 1}`;
  };

  const owners = new Map<string, number>();
  const functions = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { functionName, url } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    const owner = ownerOf(url, functionName);
    owners.set(owner, (owners.get(owner) ?? 0) + us);
    functions.set(label(id), (functions.get(label(id)) ?? 0) + us);
    // Time with the function anywhere on the (synchronous) stack, each function once per sample.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = label(at);
      if (seen.has(name) || name.startsWith('(root)')) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + us);
    }
  }
  const rows = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => [name, Math.round(us / 1000), Math.round((us / busy) * 1000) / 10]);
  console.log(
    `${path}: ${Math.round(total / 1000)} ms sampled, ${Math.round(busy / 1000)} ms busy (not idle)`,
  );
  printTable('self time by package', ['package', 'ms', '% of busy'], rows(owners));
  printTable('hottest functions (self time)', ['function', 'ms', '% of busy'], rows(functions));
  const callersOf = process.env.CALLERS;
  if (callersOf) {
    const stacks = new Map<string, number>();
    for (const [id, us] of selfUs) {
      if (!label(id).includes(callersOf)) continue;
      const chain: string[] = [];
      for (let at = parent.get(id); at !== undefined && chain.length < 12; at = parent.get(at)) {
        chain.push(label(at));
      }
      const stack = `${label(id)} < ${chain.join(' < ')}`;
      stacks.set(stack, (stacks.get(stack) ?? 0) + us);
    }
    printTable(`stacks leading to "${callersOf}"`, ['stack', 'ms', '% of busy'], rows(stacks));
  }
  if (process.env.INCLUSIVE === '1') {
    printTable(
      'functions by total time (synchronous stack only: an await starts a new stack)',
      ['function', 'ms', '% of busy'],
      rows(inclusive),
    );
  }
}

const [file, top] = process.argv.slice(2);
if (!file) {
  console.error('usage: bench/profile-summary.ts <file.cpuprofile> [top]');
  process.exit(2);
}
summarise(file, Number(top ?? 20));
