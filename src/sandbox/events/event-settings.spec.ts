import { resolveWebhookSettings } from './event-settings';

describe(resolveWebhookSettings.name, () => {
  it('fills in the defaults', () => {
    expect(resolveWebhookSettings('sendgrid', {})).toEqual({
      ok: true,
      settings: { delayMs: 0, repeat: 1 },
    });
  });

  it("refuses another provider's events, naming the field", () => {
    const resolved = resolveWebhookSettings('twilio', { events: ['bounce'] });
    expect(resolved.ok).toBe(false);
    expect(!resolved.ok && resolved.problems[0]).toMatch(/^events\.0: /);
  });

  it('refuses a URL that is not http(s), unknown fields and repeats above 10', () => {
    const resolved = resolveWebhookSettings('mailgun', {
      url: 'ftp://x',
      repeat: 11,
      color: 'red',
    });
    expect(!resolved.ok && resolved.problems.map((p) => p.split(':')[0])).toEqual(
      expect.arrayContaining(['url', 'repeat', 'settings']),
    );
  });
});
