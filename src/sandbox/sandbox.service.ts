import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { SANDBOX_SENDGRID_WEBHOOK_KEYS } from '../config/sandbox-credentials';
import { ProviderSimulator, type ProviderEventsOptions } from './provider-simulator';

/**
 * Runs the provider simulator inside Herald when the configuration says this process
 * embeds it (sandbox mode, no external HERALD_SANDBOX_URL, not an api-only process).
 * It starts before Herald listens and stops last, after in-flight deliveries are done.
 */
@Injectable()
export class SandboxService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SandboxService.name);
  private running?: ProviderSimulator;

  constructor(@Inject(HERALD_CONFIG) private readonly config: HeraldConfig) {}

  /** The embedded simulator, while it runs (e.g. for a test to set behaviours). */
  get simulator(): ProviderSimulator | undefined {
    return this.running;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { embedded, port, host, maxMessages, allowedHosts } = this.config.sandbox;
    if (!embedded) return;
    // Its SendGrid key pair is fixed so that Herald's sandbox configuration knows the public key.
    const simulator = new ProviderSimulator({
      maxMessages,
      allowedHosts,
      events: {
        sendgridPrivateKey: SANDBOX_SENDGRID_WEBHOOK_KEYS.privateKey,
        webhooks: this.webhooks(),
      },
    });
    const url = await simulator.start(port, host);
    this.running = simulator;
    this.logger.log(
      `Provider simulator listening on ${url} (inbox ${url}/, control ${url}/_sandbox/)`,
    );
  }

  /**
   * Where the simulated providers post their delivery events: Herald's own endpoints, as a
   * provider's dashboard would be set up, so a sandbox record goes on from `sent` to what the
   * events say. Twilio needs none: each SMS names its status callback.
   */
  private webhooks(): ProviderEventsOptions['webhooks'] {
    const base = this.config.providerEvents.publicUrl;
    if (base === undefined) return undefined;
    const at = (provider: string) => ({ url: `${base}/v1/provider-events/${provider}` });
    return { sendgrid: at('sendgrid'), mailgun: at('mailgun'), ses: at('ses') };
  }

  async onApplicationShutdown(): Promise<void> {
    const simulator = this.running;
    this.running = undefined;
    await simulator?.stop();
  }
}
