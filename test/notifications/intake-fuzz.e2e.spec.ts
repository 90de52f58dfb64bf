import fc from 'fast-check';
import { type RunningHerald, startReadyHerald, testEnv } from '../support/herald';
import { CHAT, EMAIL, SMS, request } from './notification-requests';

const KEY = 'fuzz-key-0123456789abcdef';
/** Sized so the whole property runs in well under half a minute on a shared 2-core machine. */
const RUNS = 3_000;

/** Header text undici will send: tab, printable ASCII and latin-1 (never CR, LF or NUL). */
const headerText = (maxLength: number) =>
  fc.string({
    unit: fc
      .oneof(
        { weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
        { weight: 1, arbitrary: fc.integer({ min: 0xa0, max: 0xff }) },
        { weight: 1, arbitrary: fc.constant(0x09) },
      )
      .map((c) => String.fromCharCode(c)),
    maxLength,
  });

const emailAddress = fc.oneof(fc.emailAddress(), fc.string({ maxLength: 30 }));
const fieldValue = fc.oneof(
  fc.string({ maxLength: 50 }),
  fc.string({ minLength: 900, maxLength: 1_200 }),
  fc.jsonValue({ maxDepth: 2 }),
);

/** Messages near the valid ones: right and wrong channels, addresses, numbers, fields. */
const messageLike = fc.record(
  {
    channel: fc.oneof(fc.constantFrom('email', 'sms', 'chat'), fc.string({ maxLength: 8 })),
    to: fc.oneof(
      fc.array(emailAddress, { maxLength: 60 }),
      fc.constantFrom('+14155550100', '+1', '0044 20 7946 0958', 'C0123456789', '#general'),
      fc.string({ maxLength: 20 }),
    ),
    from: emailAddress,
    subject: fieldValue,
    text: fieldValue,
    html: fieldValue,
    cc: fc.array(emailAddress, { maxLength: 5 }),
    providers: fc.array(fc.constantFrom('sendgrid', 'mailgun', 'ses', 'twilio', 'slack', 'x')),
    metadata: fc.dictionary(fc.string({ maxLength: 70 }), fc.jsonValue({ maxDepth: 1 }), {
      maxKeys: 25,
    }),
    blocks: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
    colour: fc.string({ maxLength: 5 }),
  },
  { requiredKeys: [] },
);

/** A valid message with one character deleted, doubled or replaced: nearly-JSON. */
const mangled = fc
  .tuple(fc.constantFrom(EMAIL, SMS, CHAT), fc.nat(), fc.string({ maxLength: 2 }))
  .map(([message, at, insert]) => {
    const text = JSON.stringify(message);
    const i = at % text.length;
    return text.slice(0, i) + insert + text.slice(i + 1);
  });

const body = fc.oneof(
  { weight: 4, arbitrary: messageLike.map((m) => JSON.stringify(m)) },
  { weight: 2, arbitrary: fc.constantFrom(EMAIL, SMS, CHAT).map((m) => JSON.stringify(m)) },
  { weight: 2, arbitrary: mangled },
  { weight: 1, arbitrary: fc.json() },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constant(JSON.stringify({ ...SMS, text: 'x'.repeat(20_000) })) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

/** Mostly what a client sends; sometimes absent, wrong or garbage. */
const headers = fc
  .record({
    'content-type': fc.oneof(
      {
        weight: 12,
        arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8'),
      },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          'APPLICATION/JSON',
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
        ),
      },
      { weight: 1, arbitrary: headerText(40) },
      { weight: 1, arbitrary: fc.constant(undefined) },
    ),
    'idempotency-key': fc.oneof(
      { weight: 4, arbitrary: fc.constant(undefined) },
      { weight: 2, arbitrary: fc.constantFrom('k-1', 'k-2', 'k-3') },
      { weight: 2, arbitrary: fc.uuid() },
      { weight: 1, arbitrary: headerText(300) },
      {
        weight: 1,
        arbitrary: fc.string({ minLength: 250, maxLength: 260, unit: fc.constant('k') }),
      },
    ),
    authorization: fc.oneof(
      { weight: 12, arbitrary: fc.constant(`Bearer ${KEY}`) },
      { weight: 1, arbitrary: headerText(60) },
      { weight: 1, arbitrary: headerText(40).map((k) => `Bearer ${k}`) },
      { weight: 1, arbitrary: fc.constant(undefined) },
    ),
  })
  .map(
    (h) =>
      Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)) as Record<
        string,
        string
      >,
  );

describe('POST /v1/notifications under random bodies and headers', () => {
  let herald: RunningHerald;
  beforeAll(async () => {
    herald = await startReadyHerald(
      testEnv({
        HERALD_ROLE: 'api',
        HERALD_AUTH: undefined,
        HERALD_API_KEYS: `fuzzer:${KEY}`,
        HERALD_BODY_LIMIT_BYTES: '16384',
      }),
    );
  });
  afterAll(() => herald.close());

  it(
    'answers every request with 2xx, or 4xx and a problem+json body, and stays up',
    { timeout: 120_000 },
    async () => {
      const seen = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(body, headers, async (payload, sent) => {
          let answer;
          try {
            answer = await request(`${herald.url}/v1/notifications`, {
              method: 'POST',
              headers: sent,
              ...(payload === undefined ? {} : { body: payload }),
            });
          } catch (err) {
            // undici refuses a few header values outright; such a request never leaves the test.
            fc.pre(!(err instanceof TypeError && /header/i.test(String(err.cause ?? err))));
            throw err;
          }
          seen.set(answer.status, (seen.get(answer.status) ?? 0) + 1);
          expect(answer.status >= 200 && answer.status < 500, `status ${answer.status}`).toBe(true);
          if (answer.status >= 400) {
            expect(answer.contentType).toMatch(/^application\/problem\+json/);
            expect(answer.body).toMatchObject({
              status: answer.status,
              code: expect.any(String),
              title: expect.any(String),
              detail: expect.any(String),
            });
          }
        }),
        { numRuns: RUNS },
      );
      // The property must reach the deep paths, not just bounce off the door.
      for (const status of [202, 400, 401, 413, 415]) {
        expect(seen.get(status), `answers with ${status}`).toBeGreaterThan(0);
      }
      expect((await request(`${herald.url}/health/live`)).status).toBe(200);
    },
  );
});
