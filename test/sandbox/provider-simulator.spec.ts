import { ProviderSimulator } from '../../src/sandbox/provider-simulator';
import { SANDBOX_CREDENTIALS } from '../../src/config/sandbox-credentials';
import { useSimulator } from './simulator-fixture';

/** A valid SendGrid send over plain HTTP; the SDK specs cover the SDKs themselves. */
function sendgridSend(url: string, to = 'ada@example.com', subject = 'Hello') {
  return fetch(`${url}/v3/mail/send`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${SANDBOX_CREDENTIALS.sendgrid.apiKey}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      personalizations: [{ to: [{ email: to }] }],
      from: { email: 'ops@example.com' },
      subject,
      content: [{ type: 'text/plain', value: 'Hi' }],
    }),
  });
}

async function statuses(url: string, count: number): Promise<number[]> {
  const result: number[] = [];
  for (let i = 0; i < count; i += 1) result.push((await sendgridSend(url)).status);
  return result;
}

const json = (body: unknown): RequestInit => ({
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe(ProviderSimulator.name, () => {
  const sim = useSimulator();

  describe('control API', () => {
    it('sets a behaviour with PUT /_sandbox/providers/:name and reads it back', async () => {
      const put = await fetch(`${sim.url}/_sandbox/providers/twilio`, {
        method: 'PUT',
        ...json({ mode: 'throttle', retryAfterSeconds: 3 }),
      });
      const providers = (await (await fetch(`${sim.url}/_sandbox/providers`)).json()) as Record<
        string,
        { behaviour: { mode: string; retryAfterSeconds: number }; requests: number }
      >;

      expect(put.status).toBe(200);
      expect(providers.twilio).toMatchObject({
        behaviour: { mode: 'throttle', retryAfterSeconds: 3, status: 503, latencyMs: 0 },
        requests: 0,
        closedConnections: 0,
      });
      expect(providers.sendgrid!.behaviour.mode).toBe('ok');
    });

    it('answers 404 for an unknown provider and 400 naming a bad field', async () => {
      const unknown = await fetch(`${sim.url}/_sandbox/providers/pigeon`, {
        method: 'PUT',
        ...json({ mode: 'ok' }),
      });
      const invalid = await fetch(`${sim.url}/_sandbox/providers/ses`, {
        method: 'PUT',
        ...json({ mode: 'fail', status: 200, colour: 'red' }),
      });

      expect(unknown.status).toBe(404);
      expect(invalid.status).toBe(400);
      expect(((await invalid.json()) as { problems: string[] }).problems.join('\n')).toMatch(
        /status[\s\S]*colour|colour[\s\S]*status/,
      );
    });

    it('lists captured messages newest first, filtered by provider and recipient', async () => {
      await sendgridSend(sim.url, 'ada@example.com', 'first');
      await sendgridSend(sim.url, 'alan@example.com', 'second');
      await sendgridSend(sim.url, 'ada@example.com', 'third');

      const { messages } = (await (
        await fetch(`${sim.url}/_sandbox/messages?provider=sendgrid&to=ADA@example.com`)
      ).json()) as { messages: { subject: string }[] };

      expect(messages.map((m) => m.subject)).toEqual(['third', 'first']);
    });

    it('forgets captured messages on DELETE /_sandbox/messages', async () => {
      await sendgridSend(sim.url);

      const deleted = await fetch(`${sim.url}/_sandbox/messages`, { method: 'DELETE' });

      expect(deleted.status).toBe(204);
      expect(sim.simulator.messages()).toEqual([]);
    });

    it('puts every provider back to ok on POST /_sandbox/reset', async () => {
      sim.simulator.setBehaviour('slack', { mode: 'hang' });
      await sendgridSend(sim.url);

      await fetch(`${sim.url}/_sandbox/reset`, { method: 'POST', ...json({}) });

      expect(sim.simulator.behaviours().slack.mode).toBe('ok');
      expect(sim.simulator.requests('sendgrid')).toBe(0);
      expect(sim.simulator.messages()).toEqual([]);
    });
  });

  describe('behaviours', () => {
    it('fails the next N calls, then recovers', async () => {
      sim.simulator.setBehaviour('sendgrid', { mode: 'ok', failNext: 2 });

      expect(await statuses(sim.url, 3)).toEqual([503, 503, 202]);
      expect(sim.simulator.behaviours().sendgrid.failNext).toBe(0);
    });

    it('answers a 429 failure as the provider throttles, with Retry-After', async () => {
      sim.simulator.setBehaviour('sendgrid', { failNext: 1, status: 429, retryAfterSeconds: 5 });

      const response = await sendgridSend(sim.url);

      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('5');
    });

    it('fails P% at random, the same calls for the same seed', async () => {
      sim.simulator.setBehaviour('sendgrid', { failPercent: 50, seed: 42 });
      const first = await statuses(sim.url, 20);
      sim.simulator.setBehaviour('sendgrid', { failPercent: 50, seed: 42 });
      const second = await statuses(sim.url, 20);

      expect(second).toEqual(first);
      expect(first).toContain(503);
      expect(first).toContain(202);
    });

    it('reports the random seed it chose, so a run can be replayed', () => {
      sim.simulator.setBehaviour('ses', { failPercent: 10 });

      expect(sim.simulator.behaviours().ses.seed).toEqual(expect.any(Number));
    });

    it('adds latency before answering', async () => {
      sim.simulator.setBehaviour('sendgrid', { latencyMs: 150 });
      const started = performance.now();

      const response = await sendgridSend(sim.url);

      expect(response.status).toBe(202);
      expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    });

    it('refuses an invalid behaviour from code with a RangeError', () => {
      expect(() => sim.simulator.setBehaviour('ses', { failPercent: 120 })).toThrow(RangeError);
    });
  });

  describe('capture', () => {
    it('takes the notification id from X-Herald-Notification-Id when the body has none', async () => {
      const { accountSid, authToken } = SANDBOX_CREDENTIALS.twilio;
      const response = await fetch(`${sim.url}/2010-04-01/Accounts/${accountSid}/Messages.json`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
          'x-herald-notification-id': 'ntf_9',
        },
        body: new URLSearchParams({ To: '+14155550100', From: '+15005550006', Body: 'Hi' }),
      });

      expect(response.status).toBe(201);
      expect(sim.simulator.messages({ notificationId: 'ntf_9' })).toHaveLength(1);
    });

    it('keeps only the last maxMessages messages', async () => {
      const small = new ProviderSimulator({ maxMessages: 2 });
      const url = await small.start();
      try {
        for (const subject of ['one', 'two', 'three']) await sendgridSend(url, undefined, subject);

        expect(small.messages().map((m) => m.subject)).toEqual(['three', 'two']);
      } finally {
        await small.stop();
      }
    });
  });

  describe('inbox', () => {
    it('shows captured messages per provider, newest first, escaped, refreshing itself', async () => {
      await sendgridSend(sim.url, 'ada@example.com', 'older');
      await sendgridSend(sim.url, 'ada@example.com', '<script>alert(1)</script>');

      const response = await fetch(`${sim.url}/`);
      const html = await response.text();

      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(html).toContain('<meta http-equiv="refresh" content="2">');
      expect(html).toMatch(/<section id="sendgrid">[\s\S]*2 messages/);
      expect(html).toContain('ada@example.com');
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html).not.toContain('<script>');
      expect(html.indexOf('&lt;script&gt;')).toBeLessThan(html.indexOf('older'));
    });
  });

  describe('request contracts', () => {
    /** A SendGrid send with a top-level custom_args object (and no subject unless given). */
    const breakingSend = (subject?: string) =>
      fetch(`${sim.url}/v3/mail/send`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${SANDBOX_CREDENTIALS.sendgrid.apiKey}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          personalizations: [{ to: [{ email: 'ada@example.com' }] }],
          from: { email: 'ops@example.com' },
          subject,
          content: [{ type: 'text/plain', value: 'Hi' }],
          custom_args: { orderId: '123' },
        }),
      });
    const contract = (name: string, body: unknown) =>
      fetch(`${sim.url}/_sandbox/providers/${name}/contract`, { method: 'PUT', ...json(body) });
    const log = async (query = '') =>
      (
        (await (await fetch(`${sim.url}/_sandbox/requests${query}`)).json()) as {
          requests: unknown[];
        }
      ).requests;

    it('enforces every contract by default and lists all violations at once', async () => {
      const answer = await breakingSend();

      expect(answer.status).toBe(400);
      expect(((await answer.json()) as { errors: { field: string }[] }).errors).toEqual([
        expect.objectContaining({ field: 'subject' }),
        expect.objectContaining({ field: 'custom_args' }),
      ]);
      expect(sim.simulator.contractEnforcement()).toEqual({
        sendgrid: true,
        mailgun: true,
        ses: true,
        twilio: true,
        slack: true,
      });
    });

    it('switches one provider off with PUT /_sandbox/providers/:name/contract, until reset', async () => {
      const put = await contract('sendgrid', { enforce: false });
      const answered = (await breakingSend('Hello')).status;
      const providers = (await (await fetch(`${sim.url}/_sandbox/providers`)).json()) as Record<
        string,
        { contractEnforced: boolean }
      >;

      expect(put.status).toBe(200);
      expect(answered).toBe(202);
      expect(providers.sendgrid!.contractEnforced).toBe(false);
      expect(providers.mailgun!.contractEnforced).toBe(true);
      expect(await log('?violations=true')).toEqual([
        expect.objectContaining({ provider: 'sendgrid', status: 202, enforced: false }),
      ]);

      await fetch(`${sim.url}/_sandbox/reset`, { method: 'POST', ...json({}) });
      expect((await breakingSend('Hello')).status).toBe(400);
    });

    it('logs every request, conforming or not, with its status', async () => {
      await sendgridSend(sim.url);
      await breakingSend();

      expect(await log('?provider=sendgrid')).toEqual([
        expect.objectContaining({ provider: 'sendgrid', status: 202, violations: [] }),
        expect.objectContaining({ status: 400, violations: expect.any(Array) }),
      ]);
      expect(await log('?provider=slack')).toEqual([]);
    });

    it('answers 404 for an unknown provider and 400 for a switch that is not a boolean', async () => {
      expect((await contract('pigeon', { enforce: false })).status).toBe(404);
      expect((await contract('sendgrid', { enforce: 'no' })).status).toBe(400);
      expect((await fetch(`${sim.url}/_sandbox/requests?provider=pigeon`)).status).toBe(400);
    });
  });

  describe('stop', () => {
    it('does not wait for a hung request', async () => {
      const own = new ProviderSimulator();
      const url = await own.start();
      own.setBehaviour('sendgrid', { mode: 'hang' });
      const pending = sendgridSend(url).catch((err: unknown) => err);
      await vi.waitFor(() => expect(own.requests('sendgrid')).toBe(1));
      const started = performance.now();

      await own.stop();

      expect(performance.now() - started).toBeLessThan(500);
      expect(await pending).toBeInstanceOf(Error);
      expect(own.closedConnections('sendgrid')).toBe(0);
    });
  });
});
