import fc from 'fast-check';
import { SANDBOX_SENDGRID_WEBHOOK_KEYS } from '../../src/config/sandbox-credentials';
import { ProviderEventsService } from '../../src/provider-events/provider-events.service';
import { metricValue } from '../delivery/delivery-fixture';
import { type RunningHerald, startReadyHerald, testEnv } from '../support/herald';
import { freePort } from '../support/redis-server';

/** Requests per endpoint; the whole spec stays well under a minute on a shared 2-core machine. */
const RUNS = 2_000;
const PROVIDERS = ['sendgrid', 'mailgun', 'ses', 'twilio'] as const;
/** An allowed certificate origin where nothing listens: a fetch is refused at once. */
const CERT_ORIGIN = 'http://127.0.0.1:9';

/** Header text undici will send: printable ASCII and latin-1 (never CR, LF or NUL). */
const headerText = fc.string({
  unit: fc
    .oneof(
      { weight: 9, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
      { weight: 1, arbitrary: fc.integer({ min: 0xa0, max: 0xff }) },
    )
    .map((c) => String.fromCharCode(c)),
  maxLength: 120,
});
const timestamp = fc.oneof(
  fc.constant(() => String(Math.floor(Date.now() / 1000))),
  headerText.map((t) => () => t),
);

/** Bodies near each provider's shape, and anything at all. */
const body = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 400 }),
  fc
    .array(
      fc.record(
        {
          event: fc.constantFrom('delivered', 'bounce', 'spamreport', 'open', 'x'),
          email: fc.string({ maxLength: 30 }),
          sg_event_id: fc.string({ maxLength: 20 }),
          sg_message_id: fc.string({ maxLength: 40 }),
          timestamp: fc.oneof(fc.integer(), fc.string({ maxLength: 12 })),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 3 },
    )
    .map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        signature: fc.record(
          { timestamp: fc.string({ maxLength: 12 }), token: fc.string(), signature: fc.string() },
          { requiredKeys: [] },
        ),
        'event-data': fc.jsonValue({ maxDepth: 3 }),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        Type: fc.constantFrom('Notification', 'SubscriptionConfirmation', 'x'),
        MessageId: fc.string({ maxLength: 20 }),
        TopicArn: fc.string({ maxLength: 60 }),
        Message: fc.string({ maxLength: 200 }),
        Timestamp: fc.string({ maxLength: 30 }),
        SignatureVersion: fc.constantFrom('1', '2', '3', ''),
        Signature: fc.base64String({ maxLength: 80 }),
        SigningCertURL: fc.oneof(
          fc.constant(`${CERT_ORIGIN}/SimpleNotificationService-0.pem`),
          fc.constant('https://attacker.example/cert.pem'),
          fc.webUrl(),
          fc.string({ maxLength: 40 }),
        ),
        SubscribeURL: fc.oneof(fc.webUrl(), fc.string({ maxLength: 40 })),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
  fc
    .dictionary(
      fc.constantFrom('MessageSid', 'MessageStatus', 'ErrorCode', 'To', 'From', 'AccountSid', 'x'),
      fc.string({ maxLength: 40 }),
    )
    .map((v) => new URLSearchParams(v).toString()),
);

const request = fc.record({
  contentType: fc.constantFrom(
    'application/json',
    'application/x-www-form-urlencoded',
    'text/plain; charset=UTF-8',
    'multipart/form-data; boundary=x',
    undefined,
  ),
  body,
  signature: fc.option(headerText, { nil: undefined }),
  timestamp,
});

/**
 * Random and nearly-right requests at each provider's event endpoint: only 2xx/4xx answers,
 * the process stays up, and nothing unsigned is ever applied.
 */
describe(ProviderEventsService.name, () => {
  let herald: RunningHerald;

  beforeAll(async () => {
    const port = await freePort();
    herald = await startReadyHerald(
      testEnv({
        HERALD_ROLE: 'api',
        PORT: String(port),
        HERALD_PUBLIC_URL: `http://127.0.0.1:${port}`,
        SENDGRID_WEBHOOK_PUBLIC_KEY: SANDBOX_SENDGRID_WEBHOOK_KEYS.publicKey,
        MAILGUN_WEBHOOK_SIGNING_KEY: 'fuzz-signing-key-0123456789',
        SES_SNS_TOPIC_ARNS: 'arn:aws:sns:us-east-1:000000000000:herald-fuzz',
        SES_SNS_CERT_ORIGINS: CERT_ORIGIN,
      }),
    );
  });
  afterAll(() => herald?.close());

  it.each(PROVIDERS)(
    'answers %s only with 2xx or 4xx, stays up, and applies nothing unsigned',
    async (provider) => {
      const statuses = new Set<number>();
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          const headers: Record<string, string> = {
            'x-twilio-email-event-webhook-timestamp': r.timestamp(),
          };
          if (r.contentType !== undefined) headers['content-type'] = r.contentType;
          if (r.signature !== undefined) {
            headers['x-twilio-email-event-webhook-signature'] = r.signature;
            headers['x-twilio-signature'] = r.signature;
          }
          const answer = await fetch(`${herald.url}/v1/provider-events/${provider}`, {
            method: 'POST',
            headers,
            body: r.body,
          });
          await answer.arrayBuffer();
          statuses.add(answer.status);
          expect(answer.status, `${answer.status} for ${r.body.slice(0, 200)}`).toBeLessThan(500);
        }),
        { numRuns: RUNS },
      );
      expect([...statuses].every((s) => s >= 400 && s < 500)).toBe(true);
      expect((await fetch(`${herald.url}/health/live`)).status).toBe(200);
      const counted = await metricValue(herald.app, 'herald_provider_events_total', { provider });
      const refused = await metricValue(herald.app, 'herald_provider_events_total', {
        provider,
        verdict: 'refused',
      });
      expect({ refused: refused > 0, applied: counted - refused }).toEqual({
        refused: true,
        applied: 0,
      });
    },
  );
});
