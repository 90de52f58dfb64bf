/**
 * Writes docs/status-page.png: the `/status` page of a Herald with some traffic and an induced
 * outage, rendered by Debian's headless Chromium (`apt-get install -y chromium`). Starts its own
 * redis-server on a free port unless REDIS_URL is set, and its own provider simulator.
 *
 *   node -r ts-node/register/transpile-only scripts/screenshot-status.ts
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/load-config';
import { ProviderSimulator } from '../src/sandbox/provider-simulator';
import { CHROMIUM, chromiumScreenshot, hasChromium } from '../test/operator/chromium';
import { type RedisServer, startRedisServer } from '../test/support/redis-server';

const OUTPUT = join(__dirname, '..', 'docs', 'status-page.png');

/** The Redis at REDIS_URL if set, else a redis-server of the script's own. */
async function startRedis(): Promise<{ url: string; server?: RedisServer }> {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL };
  const server = await startRedisServer();
  return { url: server.url, server };
}

async function post(base: string, body: unknown): Promise<string> {
  const res = await fetch(`${base}/v1/notifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 202) throw new Error(`POST answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

async function settled(base: string, id: string): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    const record = (await (await fetch(`${base}/v1/notifications/${id}`)).json()) as {
      status: string;
    };
    if (['sent', 'delivered', 'failed'].includes(record.status)) return;
    await sleep(25);
  }
}

async function main(): Promise<void> {
  if (!hasChromium()) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  const redis = await startRedis();
  const simulator = new ProviderSimulator();
  await simulator.start();
  const { config } = loadConfig({
    REDIS_URL: redis.url,
    HERALD_REDIS_PREFIX: `screenshot${process.pid}`,
    HERALD_SANDBOX: 'true',
    HERALD_SANDBOX_URL: simulator.url,
    HERALD_AUTH: 'disabled',
    LOG_LEVEL: 'error',
    HERALD_BREAKER_VOLUME_THRESHOLD: '3',
    HERALD_BREAKER_RESET_TIMEOUT_MS: '300000',
  });
  const app = await createApp(config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  try {
    for (let i = 0; i < 100 && (await fetch(`${base}/health/ready`)).status !== 200; i += 1) {
      await sleep(50);
    }
    simulator.setBehaviour('mailgun', { mode: 'ok', latencyMs: 45 });
    simulator.setBehaviour('twilio', { mode: 'ok', latencyMs: 30 });
    simulator.setBehaviour('slack', { mode: 'ok', latencyMs: 15 });
    // Healthy traffic first, then the primary e-mail provider goes down.
    const email = (i: number) => ({
      channel: 'email',
      to: [`user${i}@example.com`],
      subject: 'Your order shipped',
      text: 'It is on its way.',
    });
    for (let i = 0; i < 4; i += 1) await settled(base, await post(base, email(i)));
    simulator.setBehaviour('sendgrid', { mode: 'fail', status: 503 });
    for (let i = 4; i < 12; i += 1) await settled(base, await post(base, email(i)));
    for (let i = 0; i < 5; i += 1) {
      await settled(
        base,
        await post(base, { channel: 'sms', to: `+1415555010${i}`, text: 'Code 1234' }),
      );
      await settled(
        base,
        await post(base, { channel: 'chat', to: 'C0123456789', text: 'Deploy done' }),
      );
    }
    // Twilio asks everyone to wait: a shared cool-down, and the SMS waits in the queue.
    simulator.setBehaviour('twilio', { mode: 'throttle', retryAfterSeconds: 90 });
    await post(base, { channel: 'sms', to: '+14155550199', text: 'Code 5678' });
    await sleep(500);

    mkdirSync(join(OUTPUT, '..'), { recursive: true });
    await chromiumScreenshot(`${base}/status`, OUTPUT, 1200, 700);
    console.log(`wrote ${OUTPUT}`);
  } finally {
    await app.close();
    await simulator.stop();
    await redis.server?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
