import { EVENT_EMAIL_RECIPIENTS, TWILIO_EVENT_NUMBERS } from '../sandbox-conventions';
import { planEvents } from './event-plan';

const kinds = (events: ReturnType<typeof planEvents>) => events.map((e) => [e.recipient, e.kind]);

describe(planEvents.name, () => {
  describe('for e-mail', () => {
    it('follows each recipient convention, to, cc and bcc alike', () => {
      const plan = planEvents('mailgun', {
        to: ['ada@example.com', `Eve <${EVENT_EMAIL_RECIPIENTS.bounce}>`],
        cc: [EVENT_EMAIL_RECIPIENTS.complaint],
        bcc: [EVENT_EMAIL_RECIPIENTS.silent],
      });

      expect(kinds(plan)).toEqual([
        ['ada@example.com', 'delivered'],
        [`Eve <${EVENT_EMAIL_RECIPIENTS.bounce}>`, 'bounce'],
        [EVENT_EMAIL_RECIPIENTS.complaint, 'delivered'],
        [EVENT_EMAIL_RECIPIENTS.complaint, 'complaint'],
      ]);
    });

    it('reads the local part before a +tag, case-insensitively', () => {
      expect(kinds(planEvents('ses', { to: ['Bounce+Ada@Simulator.Herald.Test'] }))).toEqual([
        ['Bounce+Ada@Simulator.Herald.Test', 'bounce'],
      ]);
    });

    it('treats the same local part at another domain as an ordinary recipient', () => {
      expect(kinds(planEvents('sendgrid', { to: ['bounce@example.com'] }))).toEqual([
        ['bounce@example.com', 'delivered'],
      ]);
    });

    it('uses an override instead of the conventions, for every recipient', () => {
      const plan = planEvents('sendgrid', { to: [EVENT_EMAIL_RECIPIENTS.bounce, 'a@x.test'] }, [
        'deferred',
      ]);
      expect(kinds(plan)).toEqual([
        [EVENT_EMAIL_RECIPIENTS.bounce, 'deferred'],
        ['a@x.test', 'deferred'],
      ]);
    });
  });

  describe('for twilio', () => {
    it('sends sent then delivered to an ordinary number', () => {
      expect(kinds(planEvents('twilio', { to: ['+14155550100'] }))).toEqual([
        ['+14155550100', 'sent'],
        ['+14155550100', 'delivered'],
      ]);
    });

    it('gives the magic numbers their error codes', () => {
      expect(planEvents('twilio', { to: [TWILIO_EVENT_NUMBERS.unknown] }).at(-1)).toEqual({
        kind: 'undelivered',
        recipient: TWILIO_EVENT_NUMBERS.unknown,
        errorCode: 30005,
      });
    });

    it('gives an overridden undelivered or failed status a default error code', () => {
      expect(
        planEvents('twilio', { to: ['+14155550100'] }, ['failed']).map((e) => e.errorCode),
      ).toEqual([30001]);
    });
  });
});
