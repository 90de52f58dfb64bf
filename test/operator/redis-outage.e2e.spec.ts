import { type RunningHerald, startHerald, testEnv } from '../support/herald';
import { freePort } from '../support/redis-server';

describe('the operator surface of an api process while Redis does not answer', () => {
  let herald: RunningHerald;
  beforeAll(async () => {
    herald = await startHerald(
      testEnv({ HERALD_ROLE: 'api', REDIS_URL: `redis://127.0.0.1:${await freePort()}` }),
    );
  });
  afterAll(() => herald?.close());

  it('answers GET /v1/providers with a 503 redis_unavailable and Retry-After', async () => {
    const res = await fetch(`${herald.url}/v1/providers`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toMatchObject({ code: 'redis_unavailable' });
  });

  it('still renders /status, saying what is missing', async () => {
    const res = await fetch(`${herald.url}/status`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(
      '<p class="problem">Redis does not answer: workers&#39; provider views are unavailable.</p>',
    );
    expect(html).toContain(
      '<p class="problem">Redis does not answer: queue depth is unavailable.</p>',
    );
  });
});
