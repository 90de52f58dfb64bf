import { setTimeout as sleep } from 'node:timers/promises';
import { ProviderCooldowns } from '../../src/delivery/provider-cooldowns';
import type { ProviderSimulator } from '../../src/sandbox/provider-simulator';
import { type RunningHerald, startReadyHerald } from '../support/herald';
import {
  deliveryEnv,
  emailTo,
  isFinal,
  metricValue,
  postNotification,
  startSimulator,
  waitForRecord,
} from './delivery-fixture';

const RETRY_AFTER_S = 5;
/** Milliseconds after the 429 within which a call decided before its cool-down may land. */
const DECIDED_BEFORE_SLACK_MS = 1_000;

describe(ProviderCooldowns.name, () => {
  let simulator: ProviderSimulator;
  /** Two worker processes sharing one Redis: `all` (takes the REST calls too) and `worker`. */
  let first: RunningHerald;
  let second: RunningHerald;

  beforeAll(async () => {
    simulator = await startSimulator();
    // One job at a time per worker, so bursts of four keep both workers busy.
    // A Retry-After is clamped to the retry cap: the cap must exceed it here.
    const env = deliveryEnv(simulator.url, {
      HERALD_WORKER_CONCURRENCY: '1',
      HERALD_RETRY_CAP_MS: String(RETRY_AFTER_S * 2000),
    });
    first = await startReadyHerald(env);
    second = await startReadyHerald({ ...env, HERALD_ROLE: 'worker' });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
    await simulator?.stop();
  });

  describe('when the primary throttles with Retry-After 5', () => {
    it('no worker calls it for 5 s, then it is used again', async (ctx) => {
      simulator.setBehaviour('sendgrid', {
        mode: 'ok',
        failNext: 1,
        status: 429,
        retryAfterSeconds: RETRY_AFTER_S,
      });

      const ids: string[] = [];
      const started = Date.now();
      while (Date.now() - started < (RETRY_AFTER_S + 1.5) * 1000) {
        ids.push(
          ...(await Promise.all(
            Array.from({ length: 4 }, (_, i) =>
              postNotification(first.url, emailTo(`r${ids.length + i}@example.com`)),
            ),
          )),
        );
        await sleep(200);
      }
      const records = await Promise.all(ids.map((id) => waitForRecord(first.url, id, isFinal)));
      expect(records.every((r) => r.status === 'sent')).toBe(true);

      const throttled = records.flatMap((r) =>
        r.attempts.filter((a) => a.provider === 'sendgrid' && a.errorClass === 'throttled'),
      );
      expect(throttled).toHaveLength(1);
      const answeredAt = Date.parse(throttled[0]!.at) + throttled[0]!.latencyMs;

      // Every call that reached sendgrid after its 429 is one it accepted (failNext was 1).
      const accepted = simulator.messages({ provider: 'sendgrid' });
      expect(simulator.requests('sendgrid')).toBe(accepted.length + 1);
      const arrivals = accepted.map((m) => Date.parse(m.receivedAt) - answeredAt);
      // A call decided before the cool-down was written (or before a worker's cached read of it
      // expired) may still land after the 429: by tens of ms on a quiet machine, by hundreds on
      // a loaded one. Without a shared cool-down, calls would land all through the 5 s.
      const duringCooldown = arrivals.filter(
        (t) => t > DECIDED_BEFORE_SLACK_MS && t < RETRY_AFTER_S * 1000,
      );
      expect(duringCooldown).toEqual([]);
      expect(arrivals.filter((t) => t >= RETRY_AFTER_S * 1000).length).toBeGreaterThan(0);

      // Both workers skipped it while it cooled down: the cool-down is shared through Redis.
      const skips: number[] = [];
      for (const app of [first.app, second.app]) {
        skips.push(
          await metricValue(app, 'herald_provider_sends_total', {
            provider: 'sendgrid',
            outcome: 'skipped_cooldown',
          }),
        );
      }
      expect(skips.every((n) => n > 0)).toBe(true);
      const resumed = Math.min(...arrivals.filter((t) => t >= RETRY_AFTER_S * 1000));
      await ctx.annotate(
        `${records.length} messages; cool-down skips per worker: ${skips.join(' and ')}; ` +
          `sendgrid used again ${resumed} ms after its 429`,
      );
      const skipped = records.flatMap((r) => r.attempts.filter((a) => a.outcome === 'skipped'));
      expect(skipped.every((a) => /^cooling down until /.test(a.detail!))).toBe(true);
      // Messages during the cool-down went to mailgun without waiting for sendgrid.
      expect(simulator.messages({ provider: 'mailgun' }).length).toBe(skipped.length + 1);
    }, 30_000);
  });
});
