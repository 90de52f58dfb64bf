import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { ChannelKind, ProviderName } from '../config/config.schema';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { MailgunChannel } from './mailgun.channel';
import type { NotificationChannel } from './notification-channel';
import { SendgridChannel } from './sendgrid.channel';
import { SesChannel } from './ses.channel';
import { SlackChannel } from './slack.channel';
import { TwilioSmsChannel } from './twilio-sms.channel';

/** A channel whose SDK client holds sockets worth freeing at shutdown. */
interface Closable {
  close(): void;
}

const isClosable = (channel: object): channel is Closable =>
  typeof (channel as Partial<Closable>).close === 'function';

/** Builds the channel of one provider from its configuration. */
function createChannel(provider: ProviderName, config: HeraldConfig): NotificationChannel {
  const from = config.email.defaultFrom;
  switch (provider) {
    case 'sendgrid':
      return new SendgridChannel(config.providers.sendgrid, from);
    case 'mailgun':
      return new MailgunChannel(config.providers.mailgun, from);
    case 'ses':
      return new SesChannel(config.providers.ses, from);
    case 'twilio':
      return new TwilioSmsChannel(
        config.providers.twilio,
        config.providerEvents.publicUrl &&
          `${config.providerEvents.publicUrl}/v1/provider-events/twilio`,
      );
    case 'slack':
      return new SlackChannel(config.providers.slack);
  }
}

/**
 * The channels of every configured provider, each with its one SDK client, built once at
 * start. A provider without credentials has no channel (loadConfig has warned about it).
 */
@Injectable()
export class ChannelRegistry implements OnApplicationShutdown {
  private readonly logger = new Logger(ChannelRegistry.name);
  private readonly channels = new Map<ProviderName, NotificationChannel>();

  constructor(@Inject(HERALD_CONFIG) private readonly config: HeraldConfig) {
    for (const provider of Object.values(config.providers)) {
      if (provider.configured) {
        this.channels.set(provider.name, createChannel(provider.name, config));
      }
    }
    this.logger.log(`provider channels ready: ${[...this.channels.keys()].join(', ') || 'none'}`);
  }

  /** The channel of a configured provider; undefined when the provider is not configured. */
  get(provider: ProviderName): NotificationChannel | undefined {
    return this.channels.get(provider);
  }

  /** Every configured provider's channel. */
  all(): NotificationChannel[] {
    return [...this.channels.values()];
  }

  /** The failover order of a kind: configured providers only, as configured. */
  order(kind: ChannelKind): readonly ProviderName[] {
    return this.config.order[kind];
  }

  onApplicationShutdown(): void {
    for (const channel of this.channels.values()) {
      if (isClosable(channel)) channel.close();
    }
  }
}
