import { setMaxListeners } from 'node:events';
import fastify, { type FastifyInstance } from 'fastify';
import { registerBodyParsers } from './body-parsers';
import type { EventProvider } from './events/event-kinds';
import type { EventFilter, EventRecord } from './events/event-log';
import type { WebhookSettings } from './events/event-settings';
import { registerEventControlRoutes } from './events/events-control.routes';
import {
  ProviderEvents,
  type ProviderEventsOptions,
  type WebhookView,
} from './events/provider-events';
import type { CapturedMessage, MessageFilter } from './captured-message';
import { EventSink, type EventSinkSettings, type SinkEvent } from './event-sink';
import { registerEventSinkRoutes } from './event-sink.routes';
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
import { type LoggedRequest, RequestLog } from './request-log';
import { SANDBOX_CREDENTIALS, type SandboxCredentials } from '../config/sandbox-credentials';
import { sendgridRoutes } from './sendgrid.routes';
import { sesRoutes } from './ses.routes';
import { guardSimulator } from './simulator-guard';
import type { SimulatorControl } from './simulator-control';
import { registerSimulatorControlRoutes } from './simulator-control.routes';
import { slackRoutes } from './slack.routes';
import { twilioRoutes } from './twilio.routes';

export type { CapturedMessage, MessageFilter } from './captured-message';
export type { ContractViolation } from './contracts/provider-contract';
export type { LoggedRequest } from './request-log';
export type { EventSinkSettings, SinkEvent } from './event-sink';
export type { ProviderBehaviour, ResolvedBehaviour, SimulatedProvider } from './provider-behaviour';
export { SIMULATED_PROVIDERS } from './provider-behaviour';
export * from './sandbox-conventions';
export type { EventProvider } from './events/event-kinds';
export type { EventFilter, EventRecord } from './events/event-log';
export type { WebhookSettings } from './events/event-settings';
export type { ProviderEventsOptions, WebhookView } from './events/provider-events';

export interface ProviderSimulatorOptions {
  /** Captured messages kept, oldest dropped first; the request log keeps as many. Default 1000. */
  readonly maxMessages?: number;
  /** The only credentials accepted. Default {@link SANDBOX_CREDENTIALS}. */
  readonly credentials?: SandboxCredentials;
  /** The delivery events sent back after accepted sends (webhooks, keys, delivery limits). */
  readonly events?: ProviderEventsOptions;
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
export class ProviderSimulator implements SimulatorControl {
  private readonly store: MessageStore;
  private readonly log: RequestLog;
  private readonly credentials: SandboxCredentials;
  private readonly providerEvents: ProviderEvents;
  /** A caller's endpoint for Herald's own events (`/_sandbox/event-sink`). */
  private readonly eventSink: EventSink;
  private readonly states = Object.fromEntries(
    SIMULATED_PROVIDERS.map((p) => [p, new ProviderState()]),
  ) as Record<SimulatedProvider, ProviderState>;
  private app?: FastifyInstance;
  private stopping = new AbortController();
  private baseUrl?: string;
  private readonly allowedHosts: readonly string[];

  constructor(options: ProviderSimulatorOptions = {}) {
    this.store = new MessageStore(options.maxMessages ?? 1000);
    this.log = new RequestLog(this.store.capacity);
    this.eventSink = new EventSink(this.store.capacity);
    this.credentials = options.credentials ?? SANDBOX_CREDENTIALS;
    this.providerEvents = new ProviderEvents(this.credentials, options.events);
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
        capture: (message) => {
          this.store.add(message);
          this.providerEvents.accepted(message);
        },
        log: (entry) => this.log.add(entry),
      });
    }
    registerSimulatorControlRoutes(app, this);
    registerEventControlRoutes(app, this.providerEvents);
    registerEventSinkRoutes(app, this.eventSink);
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
    this.providerEvents.start(this.baseUrl);
    return this.baseUrl;
  }

  /** Stops listening and drops every open connection, hung requests included. */
  async stop(): Promise<void> {
    const app = this.app;
    if (!app) return;
    this.app = undefined;
    this.baseUrl = undefined;
    this.stopping.abort();
    this.providerEvents.stop();
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

  /** Every provider back to `ok` with its contract enforced; counters, messages and log cleared. */
  reset(): void {
    for (const state of Object.values(this.states)) state.reset();
    this.store.clear();
    this.log.clear();
    this.providerEvents.reset();
    this.eventSink.reset();
  }

  /** Sets the event sink's secret and answer status; throws a RangeError naming a bad field. */
  configureEventSink(settings: EventSinkSettings): void {
    this.eventSink.configure(settings);
  }

  /** The events Herald posted to the event sink, newest first. */
  sinkEvents(): SinkEvent[] {
    return this.eventSink.list();
  }

  /**
   * Replaces a provider's webhook settings (where its events go, which follow a send, delay,
   * repeats); throws a RangeError naming every bad field.
   */
  setWebhook(provider: EventProvider, settings: WebhookSettings): void {
    this.providerEvents.setWebhook(provider, settings);
  }

  /** Each provider's webhook settings and what verifies its events. */
  webhooks(): Record<EventProvider, WebhookView> {
    return this.providerEvents.webhooks();
  }

  /** Events sent back (and pending, failed, dropped, skipped), newest first. */
  events(filter?: EventFilter): EventRecord[] {
    return this.providerEvents.events(filter);
  }

  clearEvents(): void {
    this.providerEvents.clearEvents();
  }

  /**
   * Switches the enforcement of a provider's request contract (on by default; `reset` turns it
   * back on). Off, a request that breaks it is answered as if it conformed, and its
   * violations are still recorded in the request log.
   */
  setContractEnforcement(provider: SimulatedProvider, enforce: boolean): void {
    this.states[provider].enforceContract = enforce;
  }

  /** Whether each provider's contract is enforced. */
  contractEnforcement(): Record<SimulatedProvider, boolean> {
    return Object.fromEntries(
      SIMULATED_PROVIDERS.map((p) => [p, this.states[p].enforceContract]),
    ) as Record<SimulatedProvider, boolean>;
  }

  /** Requests that reached the providers' send routes, oldest first, with their violations. */
  requestLog(provider?: SimulatedProvider): LoggedRequest[] {
    return this.log.list(provider);
  }

  /** The logged requests that broke their provider's contract (whether refused or not). */
  contractBreaches(provider?: SimulatedProvider): LoggedRequest[] {
    return this.log.list(provider).filter((e) => e.violations.length > 0);
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
