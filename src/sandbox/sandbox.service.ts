import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { SANDBOX_SENDGRID_WEBHOOK_KEYS } from '../config/sandbox-credentials';
import { ProviderSimulator } from './provider-simulator';

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
      events: { sendgridPrivateKey: SANDBOX_SENDGRID_WEBHOOK_KEYS.privateKey },
    });
    const url = await simulator.start(port, host);
    this.running = simulator;
    this.logger.log(
      `Provider simulator listening on ${url} (inbox ${url}/, control ${url}/_sandbox/)`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    const simulator = this.running;
    this.running = undefined;
    await simulator?.stop();
  }
}
