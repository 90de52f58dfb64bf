import { setMaxListeners } from 'node:events';
import fastify, { type FastifyInstance } from 'fastify';
import { registerBodyParsers } from './body-parsers';
import type { CapturedMessage, MessageFilter } from './captured-message';
import { mailgunRoutes } from './mailgun.routes';
import { MessageStore } from './message-store';
import {
  type ProviderBehaviour,
  type ResolvedBehaviour,
  SIMULATED_PROVIDERS,
  type SimulatedProvider,
} from './provider-behaviour';
import { registerProviderRoute } from './provider-route';
import { ProviderState } from './provider-state';
import { SANDBOX_CREDENTIALS, type SandboxCredentials } from './sandbox-credentials';
import { sendgridRoutes } from './sendgrid.routes';
import { sesRoutes } from './ses.routes';
import { guardSimulator } from './simulator-guard';
import { registerSimulatorControlRoutes } from './simulator-control.routes';
import { slackRoutes } from './slack.routes';
import { twilioRoutes } from './twilio.routes';

export type { CapturedMessage, MessageFilter } from './captured-message';
export type { ProviderBehaviour, ResolvedBehaviour, SimulatedProvider } from './provider-behaviour';
export { SIMULATED_PROVIDERS } from './provider-behaviour';
export * from './sandbox-conventions';

export interface ProviderSimulatorOptions {
  /** Captured messages kept, oldest dropped first. Default 1000. */
  readonly maxMessages?: number;
  /** The only credentials accepted. Default {@link SANDBOX_CREDENTIALS}. */
  readonly credentials?: SandboxCredentials;
  /** `Host` names answered besides loopback ones and the bind address. Default none. */
  readonly allowedHosts?: readonly string[];
}

/**
 * One HTTP server that answers SendGrid, Mailgun, SES v2, Twilio and Slack on their real
 * routes, with their real auth, bodies, status codes and headers, so the real SDKs can be
 * pointed at it through their documented base-URL options. It records what it accepts
 * and misbehaves on request (see {@link ProviderBehaviour}); `/` is an HTML inbox and
 * `/_sandbox/` a control API (see `simulator-control.routes.ts`).
 *
 * Herald's notification id is read from each provider's custom field: SendGrid
 * `custom_args.herald_notification_id`, Mailgun `v:herald_notification_id`, SES the
 * `herald_notification_id` email tag, Slack the `herald_notification_id` of the message
 * metadata's `event_payload`, Twilio the `herald_notification_id` query parameter of
 * `StatusCallback`; for any provider, the `X-Herald-Notification-Id` header is the fallback.
 */
export class ProviderSimulator {
  private readonly store: MessageStore;
  private readonly credentials: SandboxCredentials;
  private readonly states = Object.fromEntries(
    SIMULATED_PROVIDERS.map((p) => [p, new ProviderState()]),
  ) as Record<SimulatedProvider, ProviderState>;
  private app?: FastifyInstance;
  private stopping = new AbortController();
  private baseUrl?: string;
  private readonly allowedHosts: readonly string[];

  constructor(options: ProviderSimulatorOptions = {}) {
    this.store = new MessageStore(options.maxMessages ?? 1000);
    this.credentials = options.credentials ?? SANDBOX_CREDENTIALS;
    this.allowedHosts = options.allowedHosts ?? [];
  }

  /** Base URL once started, e.g. `http://127.0.0.1:4010`. */
  get url(): string {
    if (this.baseUrl === undefined) throw new Error('the provider simulator is not running');
    return this.baseUrl;
  }

  /** Listens on `port` (0: any free port) and resolves to the base URL. */
  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    if (this.app) throw new Error('the provider simulator is already running');
    this.stopping = new AbortController();
    // Every request in flight listens for the stop; many at once is normal, not a leak.
    setMaxListeners(0, this.stopping.signal);
    const app = fastify({
      logger: false,
      // A hung request must not hold stop(): close destroys every open connection.
      forceCloseConnections: true,
    });
    guardSimulator(app, host, this.allowedHosts);
    await registerBodyParsers(app);
    const endpoints = [
      sendgridRoutes(this.credentials.sendgrid),
      mailgunRoutes(this.credentials.mailgun),
      sesRoutes(this.credentials.ses),
      twilioRoutes(this.credentials.twilio),
      slackRoutes(this.credentials.slack),
    ];
    for (const endpoint of endpoints) {
      registerProviderRoute(app, endpoint, {
        state: this.states[endpoint.provider],
        stopping: this.stopping.signal,
        capture: (message) => this.store.add(message),
      });
    }
    registerSimulatorControlRoutes(app, this);
    try {
      await app.listen({ port, host });
    } catch (err) {
      await app.close();
      throw err;
    }
    this.app = app;
    const { port: bound } = app.server.address() as { port: number };
    const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    this.baseUrl = `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${bound}`;
    return this.baseUrl;
  }

  /** Stops listening and drops every open connection, hung requests included. */
  async stop(): Promise<void> {
    const app = this.app;
    if (!app) return;
    this.app = undefined;
    this.baseUrl = undefined;
    this.stopping.abort();
    await app.close();
  }

  /** Replaces a provider's behaviour (fields left out take their defaults). */
  setBehaviour(provider: SimulatedProvider, behaviour: Partial<ProviderBehaviour>): void {
    this.states[provider].set(behaviour);
  }

  /** Each provider's current behaviour, defaults filled in and `failNext` as it stands now. */
  behaviours(): Record<SimulatedProvider, ResolvedBehaviour> {
    return Object.fromEntries(
      SIMULATED_PROVIDERS.map((p) => [p, this.states[p].behaviour]),
    ) as Record<SimulatedProvider, ResolvedBehaviour>;
  }

  /** Every provider back to `ok`, counters zeroed, messages cleared. */
  reset(): void {
    for (const state of Object.values(this.states)) state.reset();
    this.store.clear();
  }

  /** Captured (accepted) messages, newest first. */
  messages(filter?: MessageFilter): CapturedMessage[] {
    return this.store.list(filter);
  }

  clearMessages(): void {
    this.store.clear();
  }

  /** HTTP requests that reached the provider's send route, answered or not. */
  requests(provider: SimulatedProvider): number {
    return this.states[provider].requests;
  }

  /**
   * Requests to the provider whose connection the client closed before the simulator
   * answered (a hung or slow request the client aborted). The close reaches the server a
   * moment after the client gives up: poll (`vi.waitFor`) rather than read it once.
   */
  closedConnections(provider: SimulatedProvider): number {
    return this.states[provider].closedConnections;
  }
}
