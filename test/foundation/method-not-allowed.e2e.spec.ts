import { expectProblem, request } from '../notifications/notification-requests';
import { type RunningHerald, startHerald, testEnv } from '../support/herald';

const KEY = 'method-key-0123456789abcdef';

describe('methods a path does not serve', () => {
  let herald: RunningHerald;
  beforeAll(async () => {
    herald = await startHerald(testEnv({ HERALD_AUTH: 'api-key', HERALD_API_KEYS: `ops:${KEY}` }));
  });
  afterAll(() => herald.close());

  const call = (method: string, path: string) =>
    request(`${herald.url}${path}`, { method, headers: { authorization: `Bearer ${KEY}` } });

  it.each([
    ['DELETE', '/v1/notifications', 'GET, HEAD, POST'],
    ['PUT', '/v1/notifications/0b7c6f4e', 'GET, HEAD'],
    ['PATCH', '/v1/notifications/0b7c6f4e?x=1', 'GET, HEAD'],
    ['GET', '/v1/notifications/0b7c6f4e/retry', 'POST'],
    ['GET', '/v1/notifications/0b7c6f4e/cancel', 'POST'],
    ['POST', '/health/live', 'GET, HEAD'],
    ['OPTIONS', '/v1/providers', 'GET, HEAD'],
  ])('answers %s %s with 405 and Allow: %s', async (method, path, allow) => {
    const answer = await call(method, path);
    expectProblem(answer, 405, 'method_not_allowed');
    expect(answer.headers.get('allow')).toBe(allow);
    expect(answer.body.detail).toBe(`${method} is not served here; this path serves ${allow}.`);
  });

  it('answers QUERY with a JSON body with 405, not with a verdict on the body', async () => {
    const answer = await request(`${herald.url}/v1/notifications`, {
      method: 'QUERY',
      body: '{}',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    });
    expectProblem(answer, 405, 'method_not_allowed');
    expect(answer.headers.get('allow')).toBe('GET, HEAD, POST');
  });

  it.each([
    ['DELETE', '/nope'],
    ['GET', '/v1/notifications/0b7c6f4e/archive'],
  ])('still answers %s %s, a path no method serves, with 404', async (method, path) => {
    const answer = await call(method, path);
    expectProblem(answer, 404, 'not_found');
    expect(answer.headers.get('allow')).toBeNull();
  });

  it('still serves the routed method', async () => {
    expect((await call('GET', '/health/live')).status).toBe(200);
    expect((await call('HEAD', '/health/live')).status).toBe(200);
  });
});
