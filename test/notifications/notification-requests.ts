import { Queue } from 'bullmq';
import { Cluster } from 'ioredis';
import type { HeraldConfig } from '../../src/config/herald-config';
import { keysMatching, openRedis, producerConnection } from '../support/test-redis';

/** Valid messages of each channel. */
export const SMS = { channel: 'sms', to: '+14155550100', text: 'Your code is 123456' } as const;
export const EMAIL = {
  channel: 'email',
  to: ['ada@example.com'],
  from: 'ops@example.com',
  subject: 'Your order',
  text: 'It ships today.',
  metadata: { orderId: '123' },
} as const;
export const CHAT = { channel: 'chat', to: 'C0123456789', text: 'Deploy finished' } as const;

/** A real HTTP answer, read once. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly contentType: string;
  readonly body: Record<string, unknown>;
  /** Milliseconds from sending to the whole answer. */
  readonly ms: number;
}

/** POSTs a JSON body (or raw text with the given headers) and reads the answer. */
export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return request(url, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
  });
}

export async function request(url: string, init: RequestInit = {}): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(url, init);
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    contentType: res.headers.get('content-type') ?? '',
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    ms: performance.now() - started,
  };
}

/** Asserts a problem+json answer with the given status and stable code. */
export function expectProblem(answer: Answer, status: number, code: string): void {
  expect({ status: answer.status, code: answer.body.code }).toEqual({ status, code });
  expect(answer.contentType).toMatch(/^application\/problem\+json/);
  expect(answer.body).toMatchObject({ type: `urn:herald:error:${code}`, status });
  expect(JSON.stringify(answer.body)).not.toMatch(/ at .*\.(ts|js):\d+/);
}

/** A producer-side view of Herald's queue and keys, as another service would open it. */
export function openQueue(config: HeraldConfig): Queue {
  const connection = producerConnection(config);
  return new ProducerQueue(config.queue.name, { connection, prefix: config.queue.prefix });
}

/** A queue that also closes the cluster client it was given (BullMQ leaves a given client open). */
class ProducerQueue extends Queue {
  override async close(): Promise<void> {
    await super.close();
    if (this.opts.connection instanceof Cluster) this.opts.connection.disconnect();
  }
}

/** Every job in the queue, whatever its state. */
export async function countJobs(queue: Queue): Promise<number> {
  const counts = await queue.getJobCounts();
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** Notification records under the Herald's prefix (not their attempt lists). */
export async function countRecords(config: HeraldConfig): Promise<number> {
  const redis = openRedis(config);
  try {
    const keys = await keysMatching(redis, `${config.queue.prefix}:ntf:*`);
    return keys.filter((k) => !k.endsWith(':attempts')).length;
  } finally {
    redis.disconnect();
  }
}
