import type { NotificationRecord } from '../../src/contracts/notification-record';
import { notificationRecordSchema } from '../../src/docs/response.schemas';
import { NotificationLifecycle } from '../../src/notifications/notification-lifecycle';
import { ProviderSimulator } from '../../src/sandbox/provider-simulator';
import { EVENT_EMAIL_RECIPIENTS } from '../../src/sandbox/sandbox-conventions';
import {
  startWithSignedEvents,
  emailTo,
  postNotification,
  waitForRecord,
} from '../delivery/delivery-fixture';
import type { RunningHerald } from '../support/herald';
import { until } from '../support/until';

/** No event of the recipients has changed them from `sent`. */
const settled = (r: NotificationRecord) =>
  r.recipients !== undefined && r.recipients.every((p) => p.status !== 'sent');

describe(NotificationLifecycle.name, () => {
  let simulator: ProviderSimulator;
  let herald: RunningHerald;

  beforeAll(async () => {
    ({ simulator, herald } = await startWithSignedEvents(
      {
        HERALD_EMAIL_PROVIDERS: 'sendgrid',
      },
      {
        retryDelaysMs: [50, 50],
      },
    ));
  });
  afterAll(async () => {
    await herald?.close();
    await simulator?.stop();
  });

  const hook = () =>
    simulator.setWebhook('sendgrid', { url: `${herald.url}/v1/provider-events/sendgrid` });
  const send = (to: string[], extra: Record<string, unknown> = {}) =>
    postNotification(herald.url, { ...emailTo(to[0]!), to, ...extra });

  describe('when an e-mail to several recipients is delivered to one and bounces for another', () => {
    beforeEach(hook);

    it('ends bounced with each recipient in its own state', async () => {
      const id = await send(['ada@example.com', EVENT_EMAIL_RECIPIENTS.bounce]);
      const record = await waitForRecord(herald.url, id, settled);
      expect(record.status).toBe('bounced');
      expect(record.recipients).toEqual([
        { to: 'a***@example.com', status: 'delivered', at: expect.any(String) },
        { to: 'b***@simulator.herald.test', status: 'bounced', at: expect.any(String) },
      ]);
      expect(record.events!.map((e) => e.type).sort()).toEqual(['bounced', 'delivered']);
      expect(record.deliveredAt).toBeUndefined();
    });
  });

  describe('when an e-mail to two recipients is delivered to both', () => {
    it('stays sent after the first delivered event and is delivered after the second', async () => {
      // The simulator signs the events but cannot reach this address: the spec posts them,
      // one at a time, to look at the record in between.
      simulator.setWebhook('sendgrid', { url: 'http://127.0.0.1:9/nowhere' });
      const id = await send(['ada@example.com'], { cc: ['Grace@Example.com'] });
      await until(
        () => simulator.events({ notificationId: id }).filter((e) => e.request).length === 2,
        10_000,
        'both signed events built',
      );
      const events = simulator.events({ notificationId: id }).filter((e) => e.request);
      const of = (recipient: string) => events.find((e) => e.recipient === recipient)!.request!;
      const post = async (request: { headers: Record<string, string>; body: string }) => {
        const headers = Object.fromEntries(
          Object.entries(request.headers).filter(
            ([k]) => !['content-length', 'host', 'connection'].includes(k.toLowerCase()),
          ),
        );
        const res = await fetch(`${herald.url}/v1/provider-events/sendgrid`, {
          method: 'POST',
          headers,
          body: request.body,
        });
        expect(res.status).toBe(200);
      };

      await post(of('Grace@Example.com'));
      const half = await waitForRecord(herald.url, id, (r) => (r.events?.length ?? 0) === 1);
      expect(half.status).toBe('sent');
      expect(half.recipients).toEqual([
        { to: 'a***@example.com', status: 'sent', at: half.sentAt },
        { to: 'g***@example.com', status: 'delivered', at: half.events![0]!.at },
      ]);
      expect(half.deliveredAt).toBeUndefined();

      await post(of('ada@example.com'));
      const done = await waitForRecord(herald.url, id, (r) => (r.events?.length ?? 0) === 2);
      expect(done.status).toBe('delivered');
      expect(done.recipients!.map((r) => r.status)).toEqual(['delivered', 'delivered']);
      expect(done.deliveredAt).toBeDefined();
      // The OpenAPI schema of the answer describes the list as it is.
      expect(notificationRecordSchema.parse(done).recipients).toEqual(done.recipients);
    });
  });

  describe('when an e-mail has one recipient', () => {
    beforeEach(hook);

    it('shows no recipients list and is delivered by its event as before', async () => {
      const id = await send(['ada@example.com']);
      const record = await waitForRecord(herald.url, id, (r) => r.status === 'delivered');
      expect(record.recipients).toBeUndefined();
    });
  });
});
