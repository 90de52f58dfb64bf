import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Debian's `chromium` package; `apt-get install -y chromium` where it is missing. */
export const CHROMIUM = '/usr/bin/chromium';

export const hasChromium = (): boolean => existsSync(CHROMIUM);

/** Flags for a headless run that touches nothing but the page asked for. */
function flags(profile: string): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--hide-scrollbars',
    `--user-data-dir=${profile}`,
  ];
}

async function withProfile<T>(work: (profile: string) => Promise<T>): Promise<T> {
  const profile = mkdtempSync(join(tmpdir(), 'herald-chromium-'));
  try {
    return await work(profile);
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** The DOM as Chromium built it from the page (`--dump-dom`). */
export function chromiumDom(url: string): Promise<string> {
  return withProfile(async (profile) => {
    const { stdout } = await run(CHROMIUM, [...flags(profile), '--dump-dom', url], {
      timeout: 60_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  });
}

/** Renders the page and writes a PNG screenshot of `width`×`height` to `file`. */
export function chromiumScreenshot(
  url: string,
  file: string,
  width = 1200,
  height = 700,
): Promise<void> {
  return withProfile(async (profile) => {
    await run(
      CHROMIUM,
      [...flags(profile), `--screenshot=${file}`, `--window-size=${width},${height}`, url],
      { timeout: 60_000 },
    );
  });
}
