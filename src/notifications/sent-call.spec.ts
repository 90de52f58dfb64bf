import type { DeliveryAttempt } from '../contracts/notification-record';
import { readSentCall, sentCallField } from './sent-call';

describe('sentCallField', () => {
  const sentAt = '2026-12-01T19:58:19.854Z';
  const call: DeliveryAttempt = {
    provider: 'sendgrid',
    at: '2026-12-01T19:58:19.837Z',
    outcome: 'sent',
    latencyMs: 3,
    ambiguous: false,
    round: 2,
  };

  describe('when the attempt is a plain accepted call of the record’s provider', () => {
    it('stands for it in a few bytes that read back as the same attempt', () => {
      const field = sentCallField(call, 'sendgrid', sentAt);
      expect(field).toBe('17|3|2');
      expect(readSentCall(field, { provider: 'sendgrid', sentAt })).toEqual(call);
    });
  });

  describe('when the field could not say all of the attempt', () => {
    it('answers empty, so the attempt is appended whole', () => {
      expect(sentCallField(call, 'mailgun', sentAt)).toBe('');
      expect(sentCallField({ ...call, detail: 'slow' }, 'sendgrid', sentAt)).toBe('');
      expect(sentCallField({ ...call, step: 1 }, 'sendgrid', sentAt)).toBe('');
      expect(sentCallField({ ...call, ambiguous: true }, 'sendgrid', sentAt)).toBe('');
      expect(
        sentCallField({ ...call, at: '2026-12-01T19:58:19.837+00:00' }, 'sendgrid', sentAt),
      ).toBe('');
      expect(sentCallField({ ...call, latencyMs: 2.5 }, 'sendgrid', sentAt)).toBe('');
    });
  });
});

describe('readSentCall', () => {
  describe('when the record or the value is not what sentCallField wrote', () => {
    it('reads nothing', () => {
      const sentAt = '2026-12-01T19:58:19.854Z';
      expect(readSentCall('17|3|2', { sentAt })).toBeUndefined();
      expect(readSentCall('17|3|2', { provider: 'sendgrid' })).toBeUndefined();
      expect(readSentCall('17|3', { provider: 'sendgrid', sentAt })).toBeUndefined();
    });
  });
});
