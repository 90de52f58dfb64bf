import { z } from 'zod';
import { CHANNEL_ERROR_CLASSES, type ChannelErrorClass } from '../channels/channel-error';
import { CHANNEL_KINDS, PROVIDER_NAMES } from '../config/config.schema';

/**
 * The shapes of the operator views, in zod: the snapshot a worker publishes to Redis (parsed
 * when read back, so a malformed or foreign entry is skipped rather than trusted) and the
 * answer of `GET /v1/providers` (its OpenAPI schema is generated from here).
 */

const isoTime = z.iso.datetime({ offset: true });
const count = z.number().int().min(0);

export const BREAKER_STATES = ['closed', 'half_open', 'open'] as const;
export const breakerStateSchema = z.enum(BREAKER_STATES);

/** Provider calls over the rolling window, by outcome. */
export const outcomeCountsSchema = z
  .object({
    sent: count.describe('Calls the provider accepted.'),
    failed: z
      .object({
        rejected: count,
        throttled: count,
        unavailable: count,
        timeout: count,
        misconfigured: count,
      } satisfies Record<ChannelErrorClass, typeof count>)
      .describe('Failed calls by error class.'),
    timedOut: count.describe('Calls aborted at their deadline (also counted in failed.timeout).'),
    shortCircuited: count.describe(
      'Messages that skipped the provider because its breaker was open.',
    ),
    skippedCooldown: count.describe(
      'Messages that skipped the provider while it cooled down after a 429.',
    ),
    skippedRate: count.describe('Messages that skipped the provider at its send ceiling.'),
  })
  .describe('Counts over the rolling window.');
export type OutcomeCounts = z.infer<typeof outcomeCountsSchema>;

export const latencySchema = z
  .object({ p50: z.number().min(0), p95: z.number().min(0), p99: z.number().min(0) })
  .describe('Provider call latency in milliseconds.');

export const lastErrorSchema = z.object({
  errorClass: z.enum(CHANNEL_ERROR_CLASSES),
  detail: z.string().max(500).describe('Short and safe: never a secret nor a message body.'),
  at: isoTime,
});

/** The breaker's own judgement window (it restarts clean when the breaker closes). */
export const breakerWindowSchema = z.object({
  calls: count,
  failures: count.describe(
    'Calls that count against the breaker: unavailable, timeout, misconfigured.',
  ),
  errorPercent: z.number().min(0).max(100),
  rejectedByBreaker: count,
});

/** One provider as one worker process sees it. */
export const workerProviderViewSchema = z.object({
  provider: z.enum(PROVIDER_NAMES),
  state: breakerStateSchema,
  openedAt: isoTime.nullable().describe('When the breaker last opened, while it is not closed.'),
  breakerWindow: breakerWindowSchema,
  counts: outcomeCountsSchema,
  latencyMs: latencySchema.nullable().describe('Null before any call in the window.'),
  lastError: lastErrorSchema.nullable(),
  lastSuccessAt: isoTime.nullable(),
});
export type WorkerProviderView = z.infer<typeof workerProviderViewSchema>;

/** What a worker publishes to Redis every `HERALD_STATUS_PUBLISH_MS`. */
export const workerSnapshotSchema = z.object({
  workerId: z.string().min(1).max(200),
  role: z.enum(['worker', 'all']),
  publishedAt: isoTime,
  windowMs: z.number().int().positive(),
  providers: z.array(workerProviderViewSchema),
});
export type WorkerSnapshot = z.infer<typeof workerSnapshotSchema>;

/** Provider delivery events applied over the window, and the rates made of them. */
export const deliveryEventCountsSchema = z
  .object({
    delivered: count,
    bounced: count,
    undelivered: count,
    complained: count,
    bouncePercent: z
      .number()
      .min(0)
      .max(100)
      .describe('bounced ÷ (delivered + bounced + undelivered), in percent.'),
    complaintPercent: z.number().min(0).max(100).describe('complained ÷ delivered, in percent.'),
  })
  .describe("The provider's delivery events applied over the window (from its webhooks).");
export type DeliveryEventCounts = z.infer<typeof deliveryEventCountsSchema>;

/** One provider in `GET /v1/providers`: its configuration, the combined view and each worker's. */
export const providerStatusSchema = z.object({
  provider: z.enum(PROVIDER_NAMES),
  kind: z.enum(CHANNEL_KINDS),
  configured: z.boolean(),
  position: z
    .number()
    .int()
    .min(1)
    .nullable()
    .describe("1-based position in its kind's failover order; null when not in the order."),
  cooldownUntil: isoTime
    .nullable()
    .describe('While the provider rests after a 429 (shared by every worker): until when.'),
  state: breakerStateSchema
    .nullable()
    .describe(
      'Combined breaker state: the worst state among reporting workers (open > half_open > closed); ' +
        'null when no worker reports this provider.',
    ),
  workersByState: z
    .object({ closed: count, half_open: count, open: count })
    .describe('How many reporting workers see each breaker state.'),
  counts: outcomeCountsSchema.describe('Counts over the rolling window, summed over workers.'),
  errorPercent: z
    .number()
    .min(0)
    .max(100)
    .describe('Failed calls (every class but rejected) as a share of calls, over the window.'),
  latencyMs: latencySchema
    .nullable()
    .describe("Each percentile is the highest of the workers' (an upper bound, not a merge)."),
  lastError: lastErrorSchema.nullable().describe("The most recent of the workers' last errors."),
  lastSuccessAt: isoTime.nullable(),
  deliveryEvents: deliveryEventCountsSchema
    .optional()
    .describe(
      'Delivery events applied over the window, every API process counted; absent when Redis does not answer.',
    ),
  workers: z
    .array(workerProviderViewSchema.extend({ workerId: z.string() }))
    .describe("Each reporting worker's own view."),
});
export type ProviderStatus = z.infer<typeof providerStatusSchema>;

/** The answer of `GET /v1/providers`. */
export const providersStatusSchema = z
  .object({
    generatedAt: isoTime,
    windowMs: z
      .number()
      .int()
      .positive()
      .describe('Length of the rolling window, in milliseconds.'),
    redisReachable: z
      .boolean()
      .describe("False when Redis did not answer: only this process's own view is shown."),
    workers: z
      .array(
        z.object({
          workerId: z.string(),
          role: z.enum(['worker', 'all']),
          publishedAt: isoTime,
          local: z.boolean().describe('True for the process answering (role all).'),
        }),
      )
      .describe('Worker processes that published a view within the last few seconds.'),
    providers: z.array(providerStatusSchema),
    sandbox: z
      .literal(true)
      .optional()
      .describe(
        'Present, and true, in sandbox mode: every provider is the simulator and nothing reached a real recipient.',
      ),
  })
  .describe("Every provider's breaker, counts and latency, per worker and combined.");
export type ProvidersStatus = z.infer<typeof providersStatusSchema>;
