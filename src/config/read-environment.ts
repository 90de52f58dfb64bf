import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';

/** The environment to configure from, and where it came from (for the first log line). */
export interface Environment {
  readonly env: Record<string, string | undefined>;
  /** The `.env` file read, if there was one. */
  readonly envFile?: string;
}

/**
 * The process environment over the `.env` file in `dir`, when there is one: a variable set in
 * the environment wins, as with Docker's and systemd's env files. Node's own parser, so a
 * `.env` means the same here as to `node --env-file`.
 */
export function readEnvironment(
  dir: string,
  processEnv: Record<string, string | undefined>,
): Environment {
  const envFile = join(dir, '.env');
  if (!existsSync(envFile)) return { env: processEnv };
  const fromFile = parseEnv(readFileSync(envFile, 'utf8'));
  return { env: { ...fromFile, ...processEnv }, envFile };
}

/** A Redis URL fit for a log line: its password (and user) replaced by `***`. */
export function describeRedisUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  if (parsed.username) parsed.username = '***';
  return parsed.toString().replace(/\/$/, '');
}
