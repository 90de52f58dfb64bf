import twilio from 'twilio';
import { ProviderSimulator, TWILIO_EVENT_NUMBERS } from '../../src/sandbox/provider-simulator';
import { SANDBOX_CREDENTIALS } from '../../src/config/sandbox-credentials';
import { twilioClient } from './sdk-clients';
import { useSimulator } from './simulator-fixture';
import { type ReceivedRequest, useWebhookReceiver } from './webhook-receiver';

const { authToken, accountSid, from } = SANDBOX_CREDENTIALS.twilio;

const paramsOf = (request: ReceivedRequest) =>
  Object.fromEntries(new URLSearchParams(request.rawBody));

/** Exactly what an integrator does: Twilio's own validateRequest over the URL and params. */
const verifies = (request: ReceivedRequest, url = request.url, params = paramsOf(request)) =>
  twilio.validateRequest(authToken, request.headers['x-twilio-signature'] as string, url, params);

describe(ProviderSimulator.name, () => {
  const sim = useSimulator({ events: { retryDelaysMs: [20] } });
  const receiver = useWebhookReceiver();
  const callback = () => receiver.url('/twilio?herald_notification_id=ntf_1');
  const send = (to = '+14155550100', statusCallback: string | null = callback()) =>
    twilioClient(sim.url).messages.create({
      to,
      from,
      body: 'Your code is 123456',
      ...(statusCallback === null ? {} : { statusCallback }),
    });

  describe('twilio status callbacks', () => {
    it('posts sent, then delivered, to the StatusCallback, signed as validateRequest expects', async () => {
      const { sid } = await send();

      const requests = await receiver.await(2);
      expect(requests.map((r) => r.url)).toEqual([callback(), callback()]);
      expect(requests.every((r) => verifies(r))).toBe(true);
      expect(requests.map(paramsOf)).toEqual([
        {
          SmsSid: sid,
          SmsStatus: 'sent',
          MessageStatus: 'sent',
          To: '+14155550100',
          MessageSid: sid,
          AccountSid: accountSid,
          From: from,
          ApiVersion: '2010-04-01',
        },
        expect.objectContaining({ MessageSid: sid, MessageStatus: 'delivered' }),
      ]);
      expect(requests[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(requests[0]!.headers['i-twilio-idempotency-token']).toEqual(expect.any(String));
    });

    it('fails validation when a parameter or the URL is altered', async () => {
      await send();

      const [request] = await receiver.await(2);
      expect(verifies(request!)).toBe(true);
      expect(
        verifies(request!, request!.url, { ...paramsOf(request!), MessageStatus: 'delivered' }),
      ).toBe(false);
      expect(verifies(request!, request!.url.replace('ntf_1', 'ntf_2'))).toBe(false);
    });

    it.each([
      [TWILIO_EVENT_NUMBERS.unreachable, ['sent', 'undelivered'], '30003'],
      [TWILIO_EVENT_NUMBERS.unknown, ['sent', 'undelivered'], '30005'],
      [TWILIO_EVENT_NUMBERS.failed, ['failed'], '30001'],
    ])('reports %s as %j with ErrorCode %s', async (to, statuses, errorCode) => {
      await send(to);

      const requests = await receiver.await(statuses.length);
      expect(requests.map((r) => paramsOf(r).MessageStatus)).toEqual(statuses);
      expect(paramsOf(requests.at(-1)!).ErrorCode).toBe(errorCode);
      expect(requests.every((r) => verifies(r))).toBe(true);
    });

    it('sends only the statuses the control API names', async () => {
      sim.simulator.setWebhook('twilio', { events: ['undelivered'] });
      await send();

      const [request] = await receiver.await(1);
      expect(paramsOf(request!)).toMatchObject({
        MessageStatus: 'undelivered',
        ErrorCode: '30003',
      });
    });

    it('uses the configured URL for a send without StatusCallback, and none without either', async () => {
      await send('+14155550100', null);
      sim.simulator.setWebhook('twilio', { url: receiver.url('/fallback'), events: ['delivered'] });
      await send('+14155550100', null);

      const [request] = await receiver.await(1);
      expect(request!.url).toBe(receiver.url('/fallback'));
      expect(verifies(request!)).toBe(true);
      expect(sim.simulator.events({ provider: 'twilio' })).toHaveLength(1);
    });

    it('records each callback with the message sid and notification id', async () => {
      const { sid } = await send();

      await receiver.await(2);
      await vi.waitFor(() =>
        expect(sim.simulator.events({ messageId: sid }).map((e) => [e.kind, e.status])).toEqual([
          ['delivered', 'delivered'],
          ['sent', 'delivered'],
        ]),
      );
      expect(sim.simulator.events({ notificationId: 'ntf_1' })).toHaveLength(2);
    });
  });
});
