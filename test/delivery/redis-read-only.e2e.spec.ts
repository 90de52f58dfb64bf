import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import type { ProviderSimulator } from '../../src/sandbox/provider-simulator';
import { type RunningHerald, startReadyHerald } from '../support/herald';
import { type RedisServer, freePort, startRedisServer } from '../support/redis-server';
import { until } from '../support/until';
import {
  deliveryEnv,
  emailTo,
  postNotification,
  startSimulator,
  waitForRecord,
} from './delivery-fixture';

/** Collects every log line the app writes (one Herald per file: the logger is the process's). */
class LogSink extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.lines.push(...chunk.toString().split('\n').filter(Boolean));
    done();
  }
}

describe('the worker when Redis turns read-only (a failover) while a provider call is in flight', () => {
  /** Long enough to demote Redis while the call waits, many times over. */
  const CALL_MS = 2_000;
  let redis: RedisServer;
  let admin: Redis;
  let simulator: ProviderSimulator;
  let herald: RunningHerald;
  const logs = new LogSink();
  beforeAll(async () => {
    redis = await startRedisServer();
    admin = new Redis(redis.url, { maxRetriesPerRequest: 0 });
    simulator = await startSimulator();
    herald = await startReadyHerald(
      deliveryEnv(simulator.url, {
        REDIS_URL: redis.url,
        LOG_LEVEL: 'warn',
        SENDGRID_DEADLINE_MS: String(CALL_MS * 3),
        HERALD_BREAKER_ROLLING_WINDOW_MS: String(CALL_MS * 10),
        // The job's lock must outlast the refusal: this spec is about the outcome's write.
        HERALD_JOB_LOCK_MS: '30000',
      }),
      10_000,
      { logDestination: logs },
    );
  });
  afterAll(async () => {
    admin?.disconnect();
    await herald?.close();
    await simulator?.stop();
    await redis?.stop('SIGKILL');
  });

  it('keeps the outcome and writes it once Redis takes writes again: one send, recorded sent', async () => {
    simulator.setBehaviour('sendgrid', { mode: 'ok', latencyMs: CALL_MS });
    const id = await postNotification(herald.url, emailTo('ada@example.com'));
    await until(() => simulator.requests('sendgrid') === 1, 10_000, 'the provider call');
    // Demoted to a replica of a master that is not there: it refuses writes at once (READONLY)
    // and keeps its data, as the old master does while a failover moves on.
    await admin.call('REPLICAOF', '127.0.0.1', String(await freePort()));

    await until(
      () =>
        logs.lines.some(
          (l) => l.includes('cannot record a provider outcome') && l.includes('READONLY'),
        ),
      10_000,
      'the refused write of the outcome',
    );
    await admin.call('REPLICAOF', 'NO', 'ONE');

    const record = await waitForRecord(herald.url, id, (r) => r.status === 'sent');
    expect(record.provider).toBe('sendgrid');
    expect(simulator.requests('sendgrid')).toBe(1);
    expect(simulator.messages()).toHaveLength(1);
  });
});
