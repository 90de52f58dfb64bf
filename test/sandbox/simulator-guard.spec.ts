import { request as httpRequest } from 'node:http';
import { ProviderSimulator } from '../../src/sandbox/provider-simulator';
import { useSimulator } from './simulator-fixture';

/** A request with a `Host` header of our choosing (fetch does not let a caller set it). */
function withHost(
  url: string,
  host: string,
  method = 'GET',
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe(`${ProviderSimulator.name} against web pages`, () => {
  const sim = useSimulator({ allowedHosts: ['simulator'] });

  describe('POST /_sandbox/reset', () => {
    it.each([
      ['text/plain', { 'content-type': 'text/plain' }, 'x'],
      ['a form', { 'content-type': 'application/x-www-form-urlencoded' }, 'a=1'],
      ['no content type', {}, undefined],
    ])('refuses %s with 415 and resets nothing', async (_, headers, body) => {
      sim.simulator.setBehaviour('slack', { mode: 'hang' });
      const res = await fetch(`${sim.url}/_sandbox/reset`, {
        method: 'POST',
        headers: { origin: 'https://evil.example', ...headers },
        body,
      });
      expect(res.status).toBe(415);
      expect(sim.simulator.behaviours().slack.mode).toBe('hang');
    });

    it('takes JSON', async () => {
      sim.simulator.setBehaviour('slack', { mode: 'hang' });
      const res = await fetch(`${sim.url}/_sandbox/reset`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: '{}',
      });
      expect(res.status).toBe(204);
      expect(sim.simulator.behaviours().slack.mode).toBe('ok');
    });
  });

  describe('the Host header', () => {
    it.each(['evil.example', 'evil.example:4010', '127.0.0.1.evil.example'])(
      'refuses %s with 403 (DNS rebinding)',
      async (host) => {
        const res = await withHost(`${sim.url}/_sandbox/providers`, host);
        expect(res.status).toBe(403);
        expect(res.body).toContain('host not allowed');
      },
    );

    it('refuses a foreign host on the provider routes too, and a reset from it', async () => {
      sim.simulator.setBehaviour('slack', { mode: 'hang' });
      expect((await withHost(`${sim.url}/_sandbox/reset`, 'evil.example', 'POST')).status).toBe(
        403,
      );
      expect(sim.simulator.behaviours().slack.mode).toBe('hang');
      expect((await withHost(`${sim.url}/v3/mail/send`, 'evil.example', 'POST')).status).toBe(403);
    });

    it.each(['localhost:4010', '127.0.0.1', '[::1]:4010', 'Simulator:4010'])(
      'answers %s',
      async (host) => {
        expect((await withHost(`${sim.url}/_sandbox/providers`, host)).status).toBe(200);
      },
    );
  });
});
