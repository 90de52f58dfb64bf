import { ProviderBreakers } from '../../src/delivery/provider-breakers';
import type { NotificationRecord } from '../../src/contracts/notification-record';
import type { ProviderSimulator } from '../../src/sandbox/provider-simulator';
import { type RunningHerald, startReadyHerald } from '../support/herald';
import { until } from '../support/until';
import {
  FAST_DELIVERY,
  deliveryEnv,
  emailTo,
  isFinal,
  metricValue,
  postNotification,
  startSimulator,
  waitForRecord,
} from './delivery-fixture';

const DEADLINE_MS = Number(FAST_DELIVERY.SENDGRID_DEADLINE_MS);
const VOLUME = Number(FAST_DELIVERY.HERALD_BREAKER_VOLUME_THRESHOLD);
const RESET_MS = Number(FAST_DELIVERY.HERALD_BREAKER_RESET_TIMEOUT_MS);
/** Jobs one worker runs at once (the default). */
const CONCURRENCY = 20;

/** Milliseconds from acceptance to the record saying delivered. */
const deliveryMs = (r: NotificationRecord) => Date.parse(r.deliveredAt!) - Date.parse(r.createdAt);

describe(ProviderBreakers.name, () => {
  let simulator: ProviderSimulator;
  let herald: RunningHerald;
  let breakers: ProviderBreakers;

  beforeAll(async () => {
    simulator = await startSimulator();
    herald = await startReadyHerald(deliveryEnv(simulator.url));
    breakers = herald.app.get(ProviderBreakers);
  });
  afterAll(async () => {
    await herald?.close();
    await simulator?.stop();
  });

  const sendOne = async (to: string) =>
    waitForRecord(herald.url, await postNotification(herald.url, emailTo(to)), isFinal);
  const stateOf = async (provider: string) =>
    (await breakers.snapshot()).find((s) => s.provider === provider)!;

  describe('when the primary hangs', () => {
    it('opens after the volume threshold of deadline waits, then skips it at no cost until a half-open trial restores it', async (ctx) => {
      simulator.setBehaviour('sendgrid', { mode: 'hang' });
      const started = Date.now();

      // Each of the first VOLUME messages waits out sendgrid's deadline, then goes to mailgun.
      for (let i = 0; i < VOLUME; i += 1) {
        const record = await sendOne(`wait${i}@example.com`);
        expect(record).toMatchObject({ status: 'sent', provider: 'mailgun' });
        expect(record.attempts[0]).toMatchObject({
          provider: 'sendgrid',
          outcome: 'failed',
          errorClass: 'timeout',
          ambiguous: true,
        });
        // Waited its deadline (an upper bound would be timing luck on a busy machine).
        expect(record.attempts[0]!.latencyMs).toBeGreaterThanOrEqual(DEADLINE_MS - 5);
      }
      const openedAfterMs = Date.now() - started;
      expect(breakers.state('sendgrid')).toBe('open');
      // The aborted requests were closed for real, not left hanging at the provider.
      await vi.waitFor(() => expect(simulator.closedConnections('sendgrid')).toBe(VOLUME));

      // Open: the next messages go straight to mailgun, no sendgrid call and no deadline wait.
      const whileOpen: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        const record = await sendOne(`fast${i}@example.com`);
        expect(record).toMatchObject({ status: 'sent', provider: 'mailgun' });
        expect(record.attempts[0]).toMatchObject({
          provider: 'sendgrid',
          outcome: 'skipped',
          detail: 'breaker open',
          latencyMs: 0,
        });
        whileOpen.push(deliveryMs(record));
      }
      await ctx.annotate(
        `breaker opened ${openedAfterMs} ms after the first message (${VOLUME} waits of ${DEADLINE_MS} ms); ` +
          `while open, accepted → delivered took ${Math.min(...whileOpen)}–${Math.max(...whileOpen)} ms`,
      );
      expect(simulator.requests('sendgrid')).toBe(VOLUME);

      const open = await stateOf('sendgrid');
      expect(open).toMatchObject({
        state: 'open',
        openedAt: expect.any(String),
        lastError: { errorClass: 'timeout' },
        window: { failures: VOLUME },
      });

      // After the reset timeout, one trial: still hanging, so it opens again.
      await until(() => breakers.state('sendgrid') === 'half_open', RESET_MS + 500, 'half-open');
      const trial = await sendOne('trial1@example.com');
      expect(trial.attempts[0]).toMatchObject({ provider: 'sendgrid', errorClass: 'timeout' });
      expect(breakers.state('sendgrid')).toBe('open');
      expect(simulator.requests('sendgrid')).toBe(VOLUME + 1);

      // Healthy again: the next trial succeeds and closes the breaker.
      simulator.setBehaviour('sendgrid', { mode: 'ok' });
      await until(() => breakers.state('sendgrid') === 'half_open', RESET_MS + 500, 'half-open');
      const restored = await sendOne('trial2@example.com');
      expect(restored).toMatchObject({ status: 'sent', provider: 'sendgrid' });
      expect(restored.attempts).toHaveLength(1);
      expect(breakers.state('sendgrid')).toBe('closed');
      // The failures that opened it are forgotten: one new failure does not re-open it.
      simulator.setBehaviour('sendgrid', { mode: 'fail', failNext: 1, status: 503 });
      await sendOne('after@example.com');
      expect(breakers.state('sendgrid')).toBe('closed');

      const transitions = async (to: string) =>
        metricValue(herald.app, 'herald_breaker_transitions_total', { provider: 'sendgrid', to });
      expect(await transitions('open')).toBe(2);
      expect(await transitions('half_open')).toBe(2);
      expect(await transitions('closed')).toBe(1);
      expect(await metricValue(herald.app, 'herald_breaker_state', { provider: 'sendgrid' })).toBe(
        0,
      );
      expect(
        await metricValue(herald.app, 'herald_provider_sends_total', {
          provider: 'sendgrid',
          outcome: 'skipped_open',
        }),
      ).toBe(5);
    });
  });

  describe('when a burst is in flight as the primary starts hanging', () => {
    it('lets only the calls already made wait; the rest skip it once it opens', async () => {
      await until(() => breakers.state('sendgrid') === 'closed', 1_000, 'closed');
      simulator.reset();
      simulator.setBehaviour('sendgrid', { mode: 'hang' });
      const halfOpens = () =>
        metricValue(herald.app, 'herald_breaker_transitions_total', {
          provider: 'sendgrid',
          to: 'half_open',
        });
      const opens = () =>
        metricValue(herald.app, 'herald_breaker_transitions_total', {
          provider: 'sendgrid',
          to: 'open',
        });
      const trialsBefore = await halfOpens();
      const opensBefore = await opens();

      const ids = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          postNotification(herald.url, emailTo(`b${i}@example.com`)),
        ),
      );
      const records = await Promise.all(ids.map((id) => waitForRecord(herald.url, id, isFinal)));

      expect(records.every((r) => r.status === 'sent')).toBe(true);
      const sendgrid = records.flatMap((r) => r.attempts.filter((a) => a.provider === 'sendgrid'));
      const waited = sendgrid.filter((a) => a.errorClass === 'timeout');
      const skipped = sendgrid.filter((a) => a.outcome === 'skipped');
      // What the breaker did, not how fast: it opened; the calls that waited are the ones
      // already made when it started hanging (one worker's concurrency), those started by jobs
      // that finished before the breaker had counted enough failures to open (fewer than its
      // volume threshold), and half-open trials; every other message skipped it.
      const trials = (await halfOpens()) - trialsBefore;
      expect((await opens()) - opensBefore).toBeGreaterThanOrEqual(1);
      expect(waited.length).toBeLessThanOrEqual(CONCURRENCY + VOLUME + trials);
      expect(waited.length + skipped.length).toBeGreaterThanOrEqual(30);
      expect(simulator.requests('sendgrid')).toBe(waited.length);
    });
  });
});
