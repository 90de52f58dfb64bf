import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The parts of an `AWS4-HMAC-SHA256` Authorization header. */
export interface SigV4Authorization {
  readonly accessKeyId: string;
  /** `<date>/<region>/<service>/aws4_request`. */
  readonly scope: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;

/** Parses the Authorization header; undefined when it is not a complete SigV4 one. */
export function parseSigV4(header: string | undefined): SigV4Authorization | undefined {
  const m = AUTHORIZATION.exec(header?.trim() ?? '');
  if (!m) return undefined;
  return {
    accessKeyId: m[1]!,
    scope: m[2]!,
    signedHeaders: m[3]!.split(';'),
    signature: m[4]!,
  };
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) =>
  createHmac('sha256', key).update(data).digest();

/**
 * Recomputes an AWS Signature Version 4 and compares it with the one sent, so a wrong
 * secret key fails here as it fails at AWS. Covers what the AWS SDK sends to a JSON API
 * (no query string canonicalisation beyond sorting, no chunked payloads).
 */
export function verifySigV4(
  auth: SigV4Authorization,
  request: {
    method: string;
    /** Path and query as sent on the wire. */
    url: string;
    headers: IncomingHttpHeaders;
    body: Buffer;
  },
  secretAccessKey: string,
): boolean {
  const amzDate = request.headers['x-amz-date'];
  if (typeof amzDate !== 'string') return false;
  const [path = '/', query = ''] = request.url.split('?', 2);
  const canonicalQuery = query
    .split('&')
    .filter(Boolean)
    .map((p) => (p.includes('=') ? p : `${p}=`))
    .sort()
    .join('&');
  const canonicalHeaders = auth.signedHeaders
    .map((name) => {
      const value = request.headers[name];
      const joined = Array.isArray(value) ? value.join(',') : (value ?? '');
      return `${name}:${joined.trim().replace(/\s+/g, ' ')}\n`;
    })
    .join('');
  const payloadHash =
    (request.headers['x-amz-content-sha256'] as string | undefined) ?? sha256(request.body);
  const canonicalRequest = [
    request.method,
    path,
    canonicalQuery,
    canonicalHeaders,
    auth.signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, auth.scope, sha256(canonicalRequest)].join(
    '\n',
  );
  const [date = '', region = '', service = '', terminator = ''] = auth.scope.split('/');
  let key: Buffer = hmac(`AWS4${secretAccessKey}`, date);
  for (const part of [region, service, terminator]) key = hmac(key, part);
  const expected = Buffer.from(hmac(key, stringToSign).toString('hex'));
  const given = Buffer.from(auth.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
