/**
 * A plain BullMQ worker with no Herald code around it, run by the benchmarks as its own process:
 *
 * - `MODE=http`: the delivery floor. Each job is one HTTP request to the simulator's SendGrid
 *   route (the same JSON body @sendgrid/mail sends), nothing else: no validation, breaker,
 *   failover or record.
 * - `MODE=notifme`: the failover peer. Each job goes through notifme-sdk's `fallback` strategy
 *   over two custom providers calling the simulator's SendGrid then Mailgun routes, each with
 *   the same deadline Herald has.
 *
 * Environment: REDIS_URL, PREFIX, QUEUE_NAME, CONCURRENCY, SIMULATOR_URL, DEADLINE_MS, MODE,
 * SENDGRID_API_KEY, MAILGUN_API_KEY, MAILGUN_DOMAIN. Writes "ready" once it takes jobs.
 */
import { Agent, request } from 'node:http';
import { type Job, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import NotifmeSdk, { type NotifmeEmailRequest } from 'notifme-sdk';

const env = process.env as Record<string, string>;
const simulator = env.SIMULATOR_URL!;
const deadlineMs = Number(env.DEADLINE_MS);

/** The message of a `send` job (DESIGN §3), as far as these workers read it. */
interface EmailJob {
  readonly to: string[];
  readonly from: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly metadata?: Record<string, string>;
}

interface Email {
  readonly id: string;
  readonly to: string;
  readonly from: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/**
 * One POST with node:http and a keep-alive agent: the cheapest way Node sends a request
 * (fetch, undici in Node 20, costs about twice the CPU per request), so the floor stays a floor.
 */
const agent = new Agent({ keepAlive: true });

function post(
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${simulator}${path}`,
      {
        method: 'POST',
        agent,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        signal: AbortSignal.timeout(deadlineMs),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** SendGrid v3 Mail Send: the body @sendgrid/mail builds for the same message. Resolves to its message id. */
async function sendgrid(email: Email): Promise<string> {
  const response = await post(
    '/v3/mail/send',
    { authorization: `Bearer ${env.SENDGRID_API_KEY}`, 'content-type': 'application/json' },
    JSON.stringify({
      from: { email: email.from },
      subject: email.subject,
      // Per recipient, as Herald sends it: a top-level `custom_args` must be a string.
      personalizations: [
        { to: [{ email: email.to }], custom_args: { herald_notification_id: email.id } },
      ],
      content: [
        { value: email.text, type: 'text/plain' },
        { value: email.html, type: 'text/html' },
      ],
    }),
  );
  if (response.status !== 202) throw new Error(`sendgrid answered ${response.status}`);
  const id = response.headers['x-message-id'];
  return typeof id === 'string' ? id : '';
}

/** Mailgun `POST /v3/:domain/messages`, form-encoded. Resolves to its message id. */
async function mailgun(email: Email): Promise<string> {
  const response = await post(
    `/v3/${env.MAILGUN_DOMAIN}/messages`,
    {
      authorization: `Basic ${Buffer.from(`api:${env.MAILGUN_API_KEY}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    new URLSearchParams({
      from: email.from,
      to: email.to,
      subject: email.subject,
      text: email.text,
      html: email.html,
      'v:herald_notification_id': email.id,
    }).toString(),
  );
  if (response.status !== 200) throw new Error(`mailgun answered ${response.status}`);
  return (JSON.parse(response.body) as { id?: string }).id ?? '';
}

function emailOf(job: Job<EmailJob>): Email {
  const m = job.data;
  return {
    id: job.id!,
    to: m.to[0]!,
    from: m.from,
    subject: m.subject,
    text: m.text,
    html: m.html,
  };
}

function processorFor(mode: string): (job: Job<EmailJob>) => Promise<{ provider: string }> {
  if (mode === 'http') {
    return async (job) => {
      await sendgrid(emailOf(job));
      return { provider: 'sendgrid' };
    };
  }
  const toNotifme = (request: NotifmeEmailRequest): Email => ({
    id: request.id!,
    to: request.to,
    from: request.from,
    subject: request.subject,
    text: request.text!,
    html: request.html!,
  });
  const notifme = new NotifmeSdk({
    channels: {
      email: {
        multiProviderStrategy: 'fallback',
        providers: [
          { type: 'custom', id: 'sendgrid', send: (r) => sendgrid(toNotifme(r)) },
          { type: 'custom', id: 'mailgun', send: (r) => mailgun(toNotifme(r)) },
        ],
      },
    },
  });
  // Its logger writes a warning per failed provider call to the console.
  notifme.logger.mute();
  return async (job) => {
    const { id, ...email } = emailOf(job);
    const result = await notifme.send({ metadata: { id }, email });
    if (result.status !== 'success') {
      throw new Error(`notifme-sdk: ${JSON.stringify(result.errors)}`);
    }
    return { provider: result.channels?.email?.providerId ?? '?' };
  };
}

async function main(): Promise<void> {
  const connection = new Redis(env.REDIS_URL!, { maxRetriesPerRequest: null });
  const worker = new Worker<EmailJob>(env.QUEUE_NAME!, processorFor(env.MODE!), {
    connection,
    prefix: env.PREFIX!,
    concurrency: Number(env.CONCURRENCY),
  });
  worker.on('error', (err) => console.error(err));
  await worker.waitUntilReady();
  console.log('ready');
  process.once('SIGTERM', () => {
    void (async () => {
      await worker.close();
      connection.disconnect();
      process.exit(0);
    })();
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
