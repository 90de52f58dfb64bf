import { X509Certificate } from 'node:crypto';

/** Time to fetch one certificate, ms. */
const FETCH_TIMEOUT_MS = 5_000;
/** A PEM certificate is a few KiB; anything much larger is not one. */
const MAX_CERT_BYTES = 16 * 1024;
/** Certificates kept; SNS rotates them rarely, so a handful is plenty. */
const CACHE_SIZE = 32;

/**
 * Whether `url` is on an allowed origin: `patterns` are origins in which `*` stands for one DNS
 * label (`https://sns.*.amazonaws.com`). Scheme, host and port must all match.
 */
export function originAllowed(url: string, patterns: readonly string[]): boolean {
  if (!URL.canParse(url)) return false;
  const { origin } = new URL(url);
  return patterns.some((pattern) => {
    const re = new RegExp(
      `^${pattern
        .split('*')
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('[a-z0-9-]+')}$`,
    );
    return re.test(origin);
  });
}

/**
 * The SNS signing certificates, fetched only from an allowed origin and only for a `.pem` path,
 * then cached by URL: a forged message must not make Herald fetch arbitrary URLs, and a valid
 * one should not cost a fetch each time.
 */
export class SnsCertificates {
  private readonly cache = new Map<string, X509Certificate>();

  constructor(private readonly origins: readonly string[]) {}

  /** Whether `url` may be fetched at all. */
  allowed(url: string): boolean {
    return originAllowed(url, this.origins) && new URL(url).pathname.endsWith('.pem');
  }

  /** The certificate at an allowed `url`; throws when it cannot be fetched or read. */
  async get(url: string): Promise<X509Certificate> {
    if (!this.allowed(url)) throw new Error('certificate URL not allowed');
    const cached = this.cache.get(url);
    if (cached) return cached;
    const res = await fetch(url, {
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      redirect: 'error',
    });
    if (!res.ok) throw new Error(`certificate fetch answered ${res.status}`);
    const text = await res.text();
    if (text.length > MAX_CERT_BYTES) throw new Error('certificate too large');
    const certificate = new X509Certificate(text);
    if (this.cache.size >= CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(url, certificate);
    return certificate;
  }
}
