import { PROVIDER_KIND } from '../config/config.schema';
import { loadConfig } from '../config/load-config';
import { ChannelRegistry } from './channel-registry';
import { MailgunChannel } from './mailgun.channel';
import { SendgridChannel } from './sendgrid.channel';
import { SesChannel } from './ses.channel';
import { SlackChannel } from './slack.channel';
import { TwilioSmsChannel } from './twilio-sms.channel';

const registryFor = (env: Record<string, string>) => {
  const registry = new ChannelRegistry(loadConfig(env).config);
  registries.push(registry);
  return registry;
};
const registries: ChannelRegistry[] = [];
afterEach(() => registries.splice(0).forEach((r) => r.onApplicationShutdown()));

describe(ChannelRegistry.name, () => {
  describe('with credentials for some providers only', () => {
    const env = {
      SENDGRID_API_KEY: 'SG.test-key',
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      HERALD_AUTH: 'disabled',
    };

    it('builds a channel for each configured provider and none for the others', () => {
      const registry = registryFor(env);

      expect(registry.get('sendgrid')).toBeInstanceOf(SendgridChannel);
      expect(registry.get('slack')).toBeInstanceOf(SlackChannel);
      expect(registry.get('mailgun')).toBeUndefined();
      expect(registry.get('ses')).toBeUndefined();
      expect(registry.get('twilio')).toBeUndefined();
      expect(registry.all().map((c) => c.provider)).toEqual(['sendgrid', 'slack']);
    });

    it('orders each kind with its configured providers only', () => {
      const registry = registryFor(env);

      expect(registry.order('email')).toEqual(['sendgrid']);
      expect(registry.order('sms')).toEqual([]);
      expect(registry.order('chat')).toEqual(['slack']);
    });
  });

  describe('in sandbox mode', () => {
    it('builds all five channels, each serving its kind', () => {
      const registry = registryFor({});

      expect(registry.get('sendgrid')).toBeInstanceOf(SendgridChannel);
      expect(registry.get('mailgun')).toBeInstanceOf(MailgunChannel);
      expect(registry.get('ses')).toBeInstanceOf(SesChannel);
      expect(registry.get('twilio')).toBeInstanceOf(TwilioSmsChannel);
      expect(registry.get('slack')).toBeInstanceOf(SlackChannel);
      for (const channel of registry.all()) {
        expect(channel.kind).toBe(PROVIDER_KIND[channel.provider]);
      }
    });

    it('keeps the configured failover order', () => {
      const registry = registryFor({ HERALD_EMAIL_PROVIDERS: 'ses,sendgrid' });

      expect(registry.order('email')).toEqual(['ses', 'sendgrid']);
      expect(registry.get('mailgun')).toBeInstanceOf(MailgunChannel);
    });

    it('builds each channel once, however often it is asked for', () => {
      const registry = registryFor({});

      expect(registry.get('ses')).toBe(registry.get('ses'));
    });
  });
});
