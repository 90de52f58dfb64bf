import { snsStringToSign } from './sns-signature';

describe(snsStringToSign.name, () => {
  describe('for a Notification', () => {
    it('takes Message, MessageId, Subject, Timestamp, TopicArn, Type in that order, each line-terminated', () => {
      expect(
        snsStringToSign({
          Type: 'Notification',
          TopicArn: 'arn:t',
          Timestamp: '2026-01-01T00:00:00.000Z',
          Subject: 'S',
          MessageId: 'm-1',
          Message: 'hello\nworld',
          SignatureVersion: '2',
          SigningCertURL: 'http://x/c.pem',
          UnsubscribeURL: 'http://x/u',
        }),
      ).toBe(
        'Message\nhello\nworld\nMessageId\nm-1\nSubject\nS\nTimestamp\n2026-01-01T00:00:00.000Z\nTopicArn\narn:t\nType\nNotification\n',
      );
    });

    it('leaves out a missing Subject, name and all', () => {
      expect(
        snsStringToSign({
          Type: 'Notification',
          TopicArn: 'a',
          Timestamp: 't',
          MessageId: 'm',
          Message: 'x',
        }),
      ).toBe('Message\nx\nMessageId\nm\nTimestamp\nt\nTopicArn\na\nType\nNotification\n');
    });
  });

  describe('for a SubscriptionConfirmation', () => {
    it('adds SubscribeURL and Token in their places', () => {
      expect(
        snsStringToSign({
          Type: 'SubscriptionConfirmation',
          Token: 'tok',
          TopicArn: 'a',
          Timestamp: 't',
          MessageId: 'm',
          Message: 'x',
          SubscribeURL: 'http://s',
        }),
      ).toBe(
        'Message\nx\nMessageId\nm\nSubscribeURL\nhttp://s\nTimestamp\nt\nToken\ntok\nTopicArn\na\nType\nSubscriptionConfirmation\n',
      );
    });
  });

  it('refuses an unknown type', () => {
    expect(() => snsStringToSign({ Type: 'Other' })).toThrow(RangeError);
  });
});
