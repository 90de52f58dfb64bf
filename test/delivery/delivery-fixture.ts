import { setTimeout as sleep } from 'node:timers/promises';
import type { INestApplicationContext } from '@nestjs/common';
import { Queue, QueueEvents } from 'bullmq';
import { MetricsService } from '../../src/metrics/metrics.service';
import type { NotificationRecord } from '../../src/contracts/notification-record';
import { RedisService } from '../../src/redis/redis.service';
import { SANDBOX_SENDGRID_WEBHOOK_KEYS } from '../../src/config/sandbox-credentials';
import {
  ProviderSimulator,
  type ProviderEventsOptions,
} from '../../src/sandbox/provider-simulator';
import { type RunningHerald, startReadyHerald, testEnv } from '../support/herald';
import { freePort } from '../support/redis-server';
import { simulatorEnv } from '../support/simulator-env';

/**
 * Small timings so the delivery specs take seconds: a 250 ms deadline for sendgrid (the
 * provider the specs make hang), a breaker that opens after 3 calls and tries again after 1 s,
 * retry rounds 50–400 ms apart. The other providers get 2 s, so a loaded CI machine (or an
 * SDK's first, cold call) does not turn their answers into timeouts.
 */
export const FAST_DELIVERY = {
  HERALD_PROVIDER_DEADLINE_MS: '2000',
  SENDGRID_DEADLINE_MS: '250',
  HERALD_BREAKER_VOLUME_THRESHOLD: '3',
  HERALD_BREAKER_ERROR_THRESHOLD_PERCENT: '50',
  HERALD_BREAKER_RESET_TIMEOUT_MS: '1000',
  HERALD_BREAKER_ROLLING_WINDOW_MS: '10000',
  HERALD_THROTTLE_COOLDOWN_MS: '1000',
  HERALD_RETRY_BASE_MS: '50',
  HERALD_RETRY_CAP_MS: '400',
  HERALD_RETRY_ATTEMPTS: '50',
  HERALD_JOB_LOCK_MS: '2000',
} as const;

/** A spec's environment: the run's Redis under a fresh prefix, providers at the simulator. */
export function deliveryEnv(
  simulatorUrl: string,
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return testEnv({ ...simulatorEnv(simulatorUrl), ...FAST_DELIVERY, ...overrides });
}

export async function startSimulator(maxMessages = 1000): Promise<ProviderSimulator> {
  const simulator = new ProviderSimulator({ maxMessages });
  await simulator.start();
  return simulator;
}

export const emailTo = (to: string, extra: Record<string, unknown> = {}) => ({
  channel: 'email',
  to: [to],
  subject: 'Your order shipped',
  text: 'It is on its way.',
  ...extra,
});

/** `POST /v1/notifications`; returns the notification id. */
export async function postNotification(baseUrl: string, body: unknown): Promise<string> {
  const res = await fetch(`${baseUrl}/v1/notifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 202) throw new Error(`POST answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

export async function getRecord(baseUrl: string, id: string): Promise<NotificationRecord> {
  const res = await fetch(`${baseUrl}/v1/notifications/${id}`);
  if (res.status !== 200) throw new Error(`GET answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as NotificationRecord;
}

/** Polls the record until `done` holds, or throws with the last record after `ms`. */
export async function waitForRecord(
  baseUrl: string,
  id: string,
  done: (r: NotificationRecord) => boolean,
  ms = 10_000,
): Promise<NotificationRecord> {
  const until = Date.now() + ms;
  for (;;) {
    const record = await getRecord(baseUrl, id);
    if (done(record)) return record;
    if (Date.now() > until) {
      throw new Error(`record ${id} not as expected after ${ms} ms: ${JSON.stringify(record)}`);
    }
    await sleep(20);
  }
}

export const isFinal = (r: NotificationRecord) =>
  r.status !== 'queued' && r.status !== 'sending' && r.status !== 'scheduled';

/** Sum of a metric's samples whose labels include `labels`, from the app's own registry. */
export async function metricValue(
  app: INestApplicationContext,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = app.get(MetricsService).registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want))
    .reduce((sum, v) => sum + v.value, 0);
}

/**
 * A producer in another service: its own queue handle and event listener on Herald's queue of
 * shard 0 (the queue itself with one shard), where a job without an idempotency key may go.
 */
export interface Producer {
  readonly queue: Queue;
  readonly events: QueueEvents;
  close(): Promise<void>;
}

/** Opens a {@link Producer} on `herald`'s queue; resolves once its event listener is ready. */
export async function openProducer(herald: RunningHerald): Promise<Producer> {
  const options = {
    connection: herald.app.get(RedisService).connectionOptions(),
    prefix: herald.app.get(RedisService).shards.prefixes[0],
  };
  const queue = new Queue(herald.config.queue.name, options);
  const events = new QueueEvents(herald.config.queue.name, options);
  const close = async () => {
    await events.close();
    await queue.close();
  };
  try {
    await events.waitUntilReady();
  } catch (err) {
    await close();
    throw err;
  }
  return { queue, events, close };
}

/**
 * An idempotency key starting with `base` whose shard is 0, the {@link Producer}'s queue: a job
 * keyed with it is delivered there, as a producer following the shard rule would have it.
 */
export function keyOnProducerShard(herald: RunningHerald, base: string): string {
  const { shards } = herald.app.get(RedisService);
  for (let n = 0; ; n++) {
    const key = `${base}-${n}`;
    if (shards.ofKey(key) === 0) return key;
  }
}

/** A simulator, a ready Herald delivering through it (`deliveryEnv`), and a producer on its queue. */
export interface DeliveryStack {
  readonly simulator: ProviderSimulator;
  readonly herald: RunningHerald;
  readonly producer: Producer;
}

/**
 * Starts a {@link DeliveryStack} before the enclosing suite's tests and stops it after them; the
 * returned object's fields are set once `beforeAll` has run.
 */
export function useDeliveryStack(): DeliveryStack {
  const stack = {} as { -readonly [K in keyof DeliveryStack]: DeliveryStack[K] };
  beforeAll(async () => {
    stack.simulator = await startSimulator();
    stack.herald = await startReadyHerald(deliveryEnv(stack.simulator.url));
    stack.producer = await openProducer(stack.herald);
  });
  afterAll(async () => {
    await stack.producer?.close();
    await stack.herald?.close();
    await stack.simulator?.stop();
  });
  return stack;
}

/**
 * A simulator whose SendGrid signs its delivery events with the sandbox key, and a delivering
 * Herald that verifies them, on a port chosen first so its public URL is known when it starts.
 * `env` adds to or overrides the delivery environment; `events` to the simulator's events.
 */
export async function startWithSignedEvents(
  env: Record<string, string | undefined> = {},
  events: Omit<ProviderEventsOptions, 'sendgridPrivateKey'> = {},
): Promise<{ simulator: ProviderSimulator; herald: RunningHerald }> {
  const simulator = new ProviderSimulator({
    events: { ...events, sendgridPrivateKey: SANDBOX_SENDGRID_WEBHOOK_KEYS.privateKey },
  });
  await simulator.start();
  try {
    const port = await freePort();
    const herald = await startReadyHerald(
      deliveryEnv(simulator.url, {
        PORT: String(port),
        HERALD_PUBLIC_URL: `http://127.0.0.1:${port}`,
        SENDGRID_WEBHOOK_PUBLIC_KEY: SANDBOX_SENDGRID_WEBHOOK_KEYS.publicKey,
        ...env,
      }),
    );
    return { simulator, herald };
  } catch (err) {
    await simulator.stop();
    throw err;
  }
}
