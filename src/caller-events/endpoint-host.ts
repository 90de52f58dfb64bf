/**
 * Whether `url`'s host is one Herald may post events to: a name in `allowed` (lower case), or
 * under a `*.<domain>` entry (any depth, not the domain itself). Only http and https URLs pass.
 * Hand-written: it is a few lines over WHATWG `URL`, which does the parsing.
 */
export function endpointHostAllowed(url: string, allowed: readonly string[]): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  const host = parsed.hostname.toLowerCase();
  return allowed.some((entry) =>
    entry.startsWith('*.') ? host.endsWith(entry.slice(1)) : host === entry,
  );
}

/** The host of an endpoint URL, as logs and problems may show it (never the path or query). */
export function endpointHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid URL)';
  }
}
