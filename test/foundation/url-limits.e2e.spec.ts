import { expectProblem, request } from '../notifications/notification-requests';
import { type RunningHerald, startHerald, testEnv } from '../support/herald';

const KEY = 'url-key-0123456789abcdef';

describe('URL limits', () => {
  let herald: RunningHerald;
  beforeAll(async () => {
    herald = await startHerald(testEnv({ HERALD_AUTH: 'api-key', HERALD_API_KEYS: `ops:${KEY}` }));
  });
  afterAll(() => herald.close());

  const get = (
    path: string,
    headers: Record<string, string> = { authorization: `Bearer ${KEY}` },
  ) => request(`${herald.url}${path}`, { headers });

  describe('when a path segment is longer than 100 characters', () => {
    it('answers 414 uri_too_long as problem+json, without echoing the path', async () => {
      const id = 'a'.repeat(101);
      const answer = await get(`/v1/notifications/${id}`);
      expectProblem(answer, 414, 'uri_too_long');
      expect(JSON.stringify(answer.body)).not.toContain(id);
      expect(answer.headers.get('x-request-id')).toBeTruthy();
    });

    it('still routes a segment of exactly 100 characters', async () => {
      expectProblem(await get(`/v1/notifications/${'a'.repeat(100)}`), 404, 'not_found');
    });
  });

  describe('when the URL is longer than 8192 characters', () => {
    it.each([
      ['a 10 kB notification id', `/v1/notifications/${'a'.repeat(10_000)}`],
      ['a 10 kB unknown path', `/${'x'.repeat(10_000)}`],
      ['a 10 kB query', `/health/live?q=${'x'.repeat(10_000)}`],
    ])('answers 414 uri_too_long for %s, before asking for a key', async (_, path) => {
      const answer = await get(path, {});
      expectProblem(answer, 414, 'uri_too_long');
      expect(JSON.stringify(answer.body)).not.toContain('x'.repeat(100));
    });

    it('serves a URL of exactly 8192 characters', async () => {
      const path = '/health/live?q=';
      expect((await get(`${path}${'x'.repeat(8192 - path.length)}`)).status).toBe(200);
    });
  });

  it('answers a malformed percent-encoding in a path parameter with 400 naming the URL', async () => {
    const answer = await get('/v1/notifications/%E0%A4%A');
    expectProblem(answer, 400, 'validation_failed');
    expect(answer.body.errors).toEqual([
      { field: '(url)', message: 'holds a malformed percent-encoding' },
    ]);
  });
});
