import type { NotificationRecord } from '../../src/contracts/notification-record';
import { SandboxService } from '../../src/sandbox/sandbox.service';
import { EVENT_EMAIL_RECIPIENTS } from '../../src/sandbox/provider-simulator';
import { emailTo, postNotification, waitForRecord } from '../delivery/delivery-fixture';
import { type RunningHerald, startReadyHerald, testEnv } from '../support/herald';
import { freePort } from '../support/redis-server';

const settled = (status: NotificationRecord['status']) => (r: NotificationRecord) =>
  r.status === status;

describe(SandboxService.name, () => {
  let herald: RunningHerald;

  beforeAll(async () => {
    // Sandbox mode as the quick start runs it: the simulator embedded on a port of its own.
    herald = await startReadyHerald(
      testEnv({
        HERALD_SANDBOX: 'true',
        HERALD_SANDBOX_URL: undefined,
        HERALD_SANDBOX_PORT: String(await freePort()),
        PORT: String(await freePort()),
      }),
    );
  });
  afterAll(() => herald?.close());

  describe('when the embedded simulator accepts an e-mail', () => {
    it("posts its signed delivery event to Herald, and the record says 'delivered'", async () => {
      const id = await postNotification(herald.url, emailTo('ada@example.com'));
      const record = await waitForRecord(herald.url, id, settled('delivered'), 20_000);
      expect(record.provider).toBe('sendgrid');
      expect(record.events).toEqual([
        expect.objectContaining({ type: 'delivered', provider: 'sendgrid' }),
      ]);
    });

    it("ends 'bounced' for the sandbox's bounce address", async () => {
      const id = await postNotification(herald.url, emailTo(EVENT_EMAIL_RECIPIENTS.bounce));
      const record = await waitForRecord(herald.url, id, settled('bounced'), 20_000);
      expect(record.events?.map((e) => e.type)).toEqual(['bounced']);
    });
  });
});
