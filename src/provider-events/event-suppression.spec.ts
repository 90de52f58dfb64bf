import { createHmac, createSign } from 'node:crypto';
import twilio from 'twilio';
import { SANDBOX_SENDGRID_WEBHOOK_KEYS } from '../config/sandbox-credentials';
import { MailgunEventVerifier } from './mailgun-event.verifier';
import { SendgridEventVerifier } from './sendgrid-event.verifier';
import { TwilioEventVerifier } from './twilio-event.verifier';
import type { Verification, VerifiedEvent } from './verified-event';

const now = () => String(Math.floor(Date.now() / 1000));

function only(verification: Verification): VerifiedEvent {
  if (!verification.ok) throw new Error(`refused: ${verification.reason}`);
  expect(verification.events).toHaveLength(1);
  return verification.events[0]!;
}

describe(SendgridEventVerifier.name, () => {
  const verifier = new SendgridEventVerifier(SANDBOX_SENDGRID_WEBHOOK_KEYS.publicKey, 300);
  const receive = (fields: Record<string, unknown>) => {
    const body = Buffer.from(
      JSON.stringify([
        { sg_event_id: 'e1', sg_message_id: 'm1.filter0', email: 'ada@example.com', ...fields },
      ]),
    );
    const timestamp = now();
    const signature = createSign('sha256')
      .update(timestamp)
      .update(body)
      .sign(SANDBOX_SENDGRID_WEBHOOK_KEYS.privateKey, 'base64');
    return only(
      verifier.verify({
        provider: 'sendgrid',
        url: '/v1/provider-events/sendgrid',
        headers: {
          'x-twilio-email-event-webhook-signature': signature,
          'x-twilio-email-event-webhook-timestamp': timestamp,
        },
        body,
      }),
    );
  };

  it('when an event is a hard bounce, a spam report or an unsubscribe, names its recipient for suppression', () => {
    const recipients = ['ada@example.com'];
    expect(receive({ event: 'bounce', type: 'bounce' }).suppress).toEqual({
      reason: 'hard_bounce',
      recipients,
    });
    expect(receive({ event: 'spamreport' }).suppress).toEqual({
      reason: 'complaint',
      recipients,
    });
    const unsubscribe = receive({ event: 'group_unsubscribe' });
    expect(unsubscribe.event?.type).toBe('unsubscribed');
    expect(unsubscribe.suppress).toEqual({ reason: 'unsubscribe', recipients });
  });

  it('when a bounce is blocked (soft), deferred or delivered, suppresses nothing', () => {
    expect(receive({ event: 'bounce', type: 'blocked' }).suppress).toBeUndefined();
    expect(receive({ event: 'deferred' }).suppress).toBeUndefined();
    expect(receive({ event: 'delivered' }).suppress).toBeUndefined();
  });
});

describe(MailgunEventVerifier.name, () => {
  const key = 'mailgun-signing-key';
  const verifier = new MailgunEventVerifier(key, 300);
  const receive = (data: Record<string, unknown>) => {
    const timestamp = now();
    const token = 'a'.repeat(50);
    const signature = createHmac('sha256', key)
      .update(timestamp + token)
      .digest('hex');
    return only(
      verifier.verify(
        Buffer.from(
          JSON.stringify({
            signature: { timestamp, token, signature },
            'event-data': {
              id: 'e1',
              recipient: 'Ada@Example.com',
              message: { headers: { 'message-id': 'm1@mg.example.com' } },
              ...data,
            },
          }),
        ),
      ),
    );
  };

  it('when an event is a permanent failure, a complaint or an unsubscribe, names its recipient for suppression', () => {
    const recipients = ['Ada@Example.com'];
    expect(receive({ event: 'failed', severity: 'permanent' }).suppress).toEqual({
      reason: 'hard_bounce',
      recipients,
    });
    expect(receive({ event: 'complained' }).suppress).toEqual({
      reason: 'complaint',
      recipients,
    });
    expect(receive({ event: 'unsubscribed' }).suppress).toEqual({
      reason: 'unsubscribe',
      recipients,
    });
  });

  it('when a failure is temporary, suppresses nothing', () => {
    const temporary = receive({ event: 'failed', severity: 'temporary' });
    expect(temporary.event?.type).toBe('deferred');
    expect(temporary.suppress).toBeUndefined();
  });
});

describe(TwilioEventVerifier.name, () => {
  const token = 'twilio-auth-token';
  const publicUrl = 'https://herald.example.com';
  const verifier = new TwilioEventVerifier(token, publicUrl);
  const receive = (params: Record<string, string>) => {
    const url = '/v1/provider-events/twilio';
    const form = { MessageSid: 'SM1', To: '+14155550100', ...params };
    return only(
      verifier.verify({
        provider: 'twilio',
        url,
        headers: {
          'x-twilio-signature': twilio.getExpectedTwilioSignature(token, publicUrl + url, form),
        },
        body: Buffer.from(new URLSearchParams(form).toString()),
      }),
    );
  };

  it('when a callback carries ErrorCode 21610 (STOP), names its number for suppression', () => {
    expect(receive({ MessageStatus: 'undelivered', ErrorCode: '21610' }).suppress).toEqual({
      reason: 'unsubscribe',
      recipients: ['+14155550100'],
    });
  });

  it('when the handset is unreachable, suppresses nothing', () => {
    expect(receive({ MessageStatus: 'undelivered', ErrorCode: '30003' }).suppress).toBeUndefined();
  });
});
