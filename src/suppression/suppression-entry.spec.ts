import { newEntry, normaliseRecipient, recipientField } from './suppression-entry';

describe('normaliseRecipient', () => {
  describe('when given an e-mail address', () => {
    it('trims, lower-cases and unwraps a display name', () => {
      expect(normaliseRecipient('email', '  Ada@Example.COM ')).toBe('ada@example.com');
      expect(normaliseRecipient('email', 'Ada Lovelace <Ada@Example.com>')).toBe('ada@example.com');
    });
  });

  describe('when given a phone number', () => {
    it('keeps the plus and the digits only', () => {
      expect(normaliseRecipient('sms', ' +1 (415) 555-0100 ')).toBe('+14155550100');
    });
  });

  describe('when given a Slack channel id', () => {
    it('keeps its case', () => {
      expect(normaliseRecipient('chat', 'C0123ABCD')).toBe('C0123ABCD');
    });
  });
});

describe('recipientField', () => {
  it('is the same for every spelling of one recipient and never the recipient itself', () => {
    const field = recipientField('email', 'ada@example.com');
    expect(recipientField('email', ' ADA@example.com')).toBe(field);
    expect(field).toMatch(/^[0-9a-f]{32}$/);
    expect(recipientField('email', 'grace@example.com')).not.toBe(field);
  });
});

describe('newEntry', () => {
  it('holds the recipient masked only', () => {
    expect(
      newEntry('sms', '+14155550100', 'unsubscribe', 'twilio', '2026-01-01T00:00:00.000Z'),
    ).toEqual({
      reason: 'unsubscribe',
      provider: 'twilio',
      at: '2026-01-01T00:00:00.000Z',
      recipient: '+14*******00',
    });
  });
});
