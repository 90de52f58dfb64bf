import { Queue } from 'bullmq';
import { Cluster } from 'ioredis';
import type { HeraldConfig } from '../../src/config/herald-config';
import { shardOfId, shardPrefixes } from '../../src/queue/queue-shards';
import { keysOnEveryShard, openRedis, producerConnection } from '../support/test-redis';

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

/**
 * A producer-side view of Herald's queues, as another service would open them: the queue of
 * every notification shard (one, under Herald's prefix, with `HERALD_QUEUE_SHARDS` 1).
 */
export class ProducerQueues {
  /** Each shard's queue, by shard number. */
  readonly all: readonly Queue[];

  constructor(private readonly config: HeraldConfig) {
    this.all = shardPrefixes(config.queue.prefix, config.queue.shards).map(
      (prefix) =>
        new ProducerQueue(config.queue.name, { connection: producerConnection(config), prefix }),
    );
  }

  /** The queue of notification `id`'s shard, which holds its jobs. */
  forId(id: string): Queue {
    return this.all[shardOfId(id, this.config.queue.shards)]!;
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((queue) => queue.close()));
  }
}

/** Opens {@link ProducerQueues} on the queues of the Herald configured by `config`. */
export function openQueue(config: HeraldConfig): ProducerQueues {
  return new ProducerQueues(config);
}

/** A queue that also closes the cluster client it was given (BullMQ leaves a given client open). */
class ProducerQueue extends Queue {
  override async close(): Promise<void> {
    await super.close();
    if (this.opts.connection instanceof Cluster) this.opts.connection.disconnect();
  }
}

/** Every job in every shard's queue, whatever its state. */
export async function countJobs(queues: ProducerQueues): Promise<number> {
  const counts = await Promise.all(queues.all.map((queue) => queue.getJobCounts()));
  return counts.flatMap((c) => Object.values(c)).reduce((a, b) => a + b, 0);
}

/** Notification records under every shard's prefix (not their attempt lists). */
export async function countRecords(config: HeraldConfig): Promise<number> {
  const redis = openRedis(config);
  try {
    const keys = await keysOnEveryShard(redis, config, 'ntf:*');
    return keys.filter((k) => !k.endsWith(':attempts')).length;
  } finally {
    redis.disconnect();
  }
}
