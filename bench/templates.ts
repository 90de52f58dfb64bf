/**
 * Template rendering benchmark, in this process: what intake spends turning a templated
 * message into content — `TemplatesService.render` (data checked against the template's JSON
 * Schema, Liquid rendering, output checked against the message limits) — per message, beside
 * the zod parse every message already pays. No Redis, no HTTP: the accept benchmark's
 * templated row gives the cost end to end.
 *
 * BENCH_TEMPLATES_ROUNDS (7) × BENCH_TEMPLATES_BATCH (2000) renders per message kind; the
 * figure is the median round.
 */
import { join } from 'node:path';
import { loadConfig } from '../src/config/load-config';
import { notificationSchemas } from '../src/notifications/notification-message.schema';
import { loadTemplates } from '../src/templates/load-templates';
import { TemplatesService } from '../src/templates/templates.service';
import { environment, printTable, writeResults } from './support/report';
import { runBenchmarks } from './support/runner';
import { BENCH_EMAIL, BENCH_TEMPLATED_EMAIL } from './support/workload';

const ROUNDS = Number(process.env.BENCH_TEMPLATES_ROUNDS ?? 7);
const BATCH = Number(process.env.BENCH_TEMPLATES_BATCH ?? 2_000);

const ALERT = {
  channel: 'chat',
  to: 'C0123456789',
  template: 'oncall-alert',
  data: {
    alert: {
      title: 'Checkout error rate above 5%',
      severity: 'critical',
      service: 'checkout-api',
      summary: '5xx ratio 7.2% over 5 min; p99 latency 4.1 s.',
      startedAt: '2026-12-01T14:02:00Z',
      runbookUrl: 'https://runbooks.example.com/checkout-errors',
    },
  },
} as const;
const RESET_SMS = {
  channel: 'sms',
  to: '+14155550100',
  template: 'password-reset',
  locale: 'fr-CA',
  data: {
    user: { name: 'Grace' },
    resetUrl: 'https://example.com/reset?token=abc',
    expiresInMinutes: 30,
    code: '482913',
  },
} as const;

/** Microseconds per call of `work`, the median of {@link ROUNDS} rounds of {@link BATCH} calls. */
function microsPerCall(work: () => unknown): number {
  for (let i = 0; i < BATCH; i++) work();
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) work();
    rounds.push(Number(process.hrtime.bigint() - start) / 1_000 / BATCH);
  }
  rounds.sort((a, b) => a - b);
  return Math.round(rounds[Math.floor(rounds.length / 2)]! * 10) / 10;
}

export async function templatesBenchmark(): Promise<void> {
  console.log(`\n== templates: render at intake, ${ROUNDS} × ${BATCH} per message ==`);
  const { config } = loadConfig({
    HERALD_SANDBOX: 'true',
    HERALD_TEMPLATES_DIR: join(__dirname, '..', 'templates'),
  });
  const service = new TemplatesService(config, loadTemplates(config));
  const schemas = notificationSchemas(config.limits);
  const fr = { ...BENCH_TEMPLATED_EMAIL, locale: 'fr' };

  const rows: [string, number][] = [
    [
      'zod parse, e-mail with content (reference)',
      microsPerCall(() => schemas.message.parse(BENCH_EMAIL)),
    ],
    [
      'zod parse, templated e-mail',
      microsPerCall(() => schemas.message.parse(BENCH_TEMPLATED_EMAIL)),
    ],
    [
      'render order-confirmation e-mail (default)',
      microsPerCall(() => service.render(BENCH_TEMPLATED_EMAIL as never)),
    ],
    ['render order-confirmation e-mail (fr)', microsPerCall(() => service.render(fr as never))],
    [
      'render password-reset SMS (fr-CA → fr)',
      microsPerCall(() => service.render(RESET_SMS as never)),
    ],
    [
      'render oncall-alert chat (text + blocks)',
      microsPerCall(() => service.render(ALERT as never)),
    ],
  ];
  const table = printTable(
    'templates — µs per message, one core, median round',
    ['', 'µs/message'],
    rows,
  );
  writeResults('templates', {
    benchmark: 'templates',
    at: new Date().toISOString(),
    ...environment('n/a'),
    parameters: { rounds: ROUNDS, batch: BATCH },
    microsPerMessage: Object.fromEntries(rows),
    table,
  });
}

if (require.main === module) runBenchmarks([templatesBenchmark]);
