import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** The repository root. */
export const ROOT = resolve(__dirname, '..', '..');
/** Where compiled JavaScript goes: git-ignored, reused between runs. */
export const BUILD_DIR = join(ROOT, 'bench', 'results', '.build');

/**
 * Compiles Herald's `src/` (or `candidateSrc`, a patched copy to compare) and `bench/` to plain
 * JavaScript under {@link BUILD_DIR}, so every measured process — Herald, the floors and the
 * peer — runs as plain `node file.js`, with no TypeScript compiler in its memory or its CPU.
 *
 * Per-file transpilation (TypeScript's `transpileModule`, what `npm start`'s
 * `ts-node/register/transpile-only` does), not `nest build`: a full type-checked build takes
 * 30–45 s on two shared cores, refuses a tree that other engineers are halfway through, and
 * deletes `dist/`. Unchanged files are skipped, so a second run compiles nothing.
 */
export function buildForBench(candidateSrc?: string): { heraldMain: string } {
  const started = Date.now();
  const heraldSrc = candidateSrc ? resolve(candidateSrc) : join(ROOT, 'src');
  const options = compilerOptions();
  const heraldOut = join(
    BUILD_DIR,
    candidateSrc
      ? `src-candidate-${createHash('sha1').update(heraldSrc).digest('hex').slice(0, 8)}`
      : 'src',
  );
  let compiled = transpileTree(heraldSrc, heraldOut, options, (f) => !f.endsWith('.spec.ts'));
  compiled += transpileTree(
    join(ROOT, 'bench'),
    join(BUILD_DIR, 'bench'),
    options,
    (f) => !relative(join(ROOT, 'bench'), f).startsWith('results'),
  );
  if (compiled > 0) {
    console.log(`compiled ${compiled} files for the benchmark in ${Date.now() - started} ms`);
  }
  return { heraldMain: join(heraldOut, 'main.js') };
}

/** The compiled JavaScript of a file under `bench/`, e.g. `children/plain-worker.ts`. */
export function benchScript(pathInBench: string): string {
  return join(BUILD_DIR, 'bench', pathInBench.replace(/\.ts$/, '.js'));
}

function compilerOptions(): ts.CompilerOptions {
  const configPath = join(ROOT, 'tsconfig.json');
  const { config } = ts.readConfigFile(configPath, (p) => readFileSync(p, 'utf8'));
  const { options } = ts.convertCompilerOptionsFromJson(
    (config as { compilerOptions: unknown }).compilerOptions,
    ROOT,
  );
  return { ...options, sourceMap: false, inlineSourceMap: false, declaration: false };
}

function transpileTree(
  from: string,
  to: string,
  options: ts.CompilerOptions,
  include: (file: string) => boolean,
): number {
  let count = 0;
  for (const file of walk(from)) {
    if (!file.endsWith('.ts') || file.endsWith('.d.ts') || !include(file)) continue;
    const out = join(to, relative(from, file)).replace(/\.ts$/, '.js');
    if (isFresh(out, file)) continue;
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      compilerOptions: options,
      fileName: file,
    });
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, outputText);
    count += 1;
  }
  return count;
}

function isFresh(out: string, source: string): boolean {
  try {
    return statSync(out).mtimeMs >= statSync(source).mtimeMs;
  } catch {
    return false;
  }
}

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}
