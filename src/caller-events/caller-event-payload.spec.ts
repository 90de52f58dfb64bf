import type { NotificationRecord } from '../contracts/notification-record';
import { callerEventPayload } from './caller-event-payload';

const record: NotificationRecord = {
  id: 'n-1',
  caller: 'billing',
  channel: 'email',
  to: 'a***@example.com (+1)',
  status: 'delivered',
  provider: 'sendgrid',
  providerMessageId: 'sg-1',
  attempts: [
    {
      provider: 'sendgrid',
      at: 't',
      outcome: 'sent',
      latencyMs: 3,
      ambiguous: false,
      round: 1,
    },
  ],
  rounds: 1,
  metadata: { orderId: '42' },
  failure: { errorClass: 'rejected', detail: 'earlier' },
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:05.000Z',
  sentAt: '2026-12-01T10:00:01.000Z',
};

describe(callerEventPayload.name, () => {
  const at = new Date('2026-12-01T10:00:01.000Z');

  it("takes the status and time of the event, not the record's later ones", () => {
    const payload = callerEventPayload('evt_1', 'sent', at, 'n-1', record);
    expect(payload).toEqual({
      type: 'notification.sent',
      id: 'evt_1',
      timestamp: '2026-12-01T10:00:01.000Z',
      data: {
        id: 'n-1',
        status: 'sent',
        channel: 'email',
        provider: 'sendgrid',
        providerMessageId: 'sg-1',
        recipient: 'a***@example.com (+1)',
        metadata: { orderId: '42' },
        createdAt: '2026-12-01T10:00:00.000Z',
        updatedAt: '2026-12-01T10:00:01.000Z',
        sentAt: '2026-12-01T10:00:01.000Z',
      },
    });
  });

  it('carries no attempts, caller or failure unless the event is a failure', () => {
    const data = callerEventPayload('evt_1', 'sent', at, 'n-1', record).data as Record<
      string,
      unknown
    >;
    expect(data).not.toHaveProperty('attempts');
    expect(data).not.toHaveProperty('caller');
    expect(data).not.toHaveProperty('failure');
    expect(callerEventPayload('evt_2', 'failed', at, 'n-1', record).data.failure).toEqual(
      record.failure,
    );
  });

  it('when the record is gone, still names the notification, status and time', () => {
    expect(callerEventPayload('evt_3', 'cancelled', at, 'n-9', undefined)).toEqual({
      type: 'notification.cancelled',
      id: 'evt_3',
      timestamp: at.toISOString(),
      data: { id: 'n-9', status: 'cancelled', updatedAt: at.toISOString() },
    });
  });
});
