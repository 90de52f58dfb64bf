import type { ChannelKind, ProviderName } from './config.schema';

/** The injection token of {@link HeraldConfig}. */
export const HERALD_CONFIG = Symbol('HERALD_CONFIG');

/** A caller allowed to use the REST API. Only the SHA-256 digest of its key is kept. */
export interface ApiCaller {
  readonly name: string;
  readonly keySha256: Buffer;
  /** An `admin` key (`name+admin:key`) sees and acts on every caller's notifications. */
  readonly admin: boolean;
}

interface ProviderBase<N extends ProviderName> {
  readonly name: N;
  readonly kind: ChannelKind;
  /** Whether credentials are present; unconfigured providers are left out of every order. */
  readonly configured: boolean;
  /** Milliseconds a call may take before it is aborted. */
  readonly deadlineMs: number;
  /** Sends per second across all workers, if the provider has a quota. */
  readonly maxPerSecond?: number;
}

export interface SendgridConfig extends ProviderBase<'sendgrid'> {
  readonly apiKey?: string;
  readonly baseUrl?: string;
}
export interface MailgunConfig extends ProviderBase<'mailgun'> {
  readonly apiKey?: string;
  readonly domain?: string;
  readonly url?: string;
}
export interface SesConfig extends ProviderBase<'ses'> {
  readonly region?: string;
  readonly endpoint?: string;
  /** Explicit credentials; absent means the AWS SDK's default chain. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}
export interface TwilioConfig extends ProviderBase<'twilio'> {
  readonly accountSid?: string;
  readonly authToken?: string;
  readonly from?: string;
  readonly baseUrl?: string;
}
export interface SlackConfig extends ProviderBase<'slack'> {
  readonly token?: string;
  readonly apiUrl?: string;
}

export interface ProvidersConfig {
  readonly sendgrid: SendgridConfig;
  readonly mailgun: MailgunConfig;
  readonly ses: SesConfig;
  readonly twilio: TwilioConfig;
  readonly slack: SlackConfig;
}

/** `host:port` of a Redis node. */
export interface RedisNodeAddress {
  readonly host: string;
  readonly port: number;
}

/** How to reach a Redis Cluster; TLS and credentials apply to every node. */
export interface RedisClusterConfig {
  /** Seed nodes: one reachable node is enough, the client learns the others from it. */
  readonly nodes: readonly RedisNodeAddress[];
  readonly tls: boolean;
  readonly username?: string;
  readonly password?: string;
  /** Announced `host:port` → the address Herald reaches that node at (NAT, containers). */
  readonly natMap: Readonly<Record<string, RedisNodeAddress>>;
}

/** Herald's validated configuration; built once by `loadConfig` and injected as {@link HERALD_CONFIG}. */
export interface HeraldConfig {
  readonly role: 'api' | 'worker' | 'all';
  readonly http: {
    readonly host: string;
    readonly port: number;
    /** Bytes. */
    readonly bodyLimitBytes: number;
    /** Most messages in one batch request. */
    readonly batchMax: number;
  };
  /** Milliseconds in-flight work gets on shutdown. */
  readonly shutdownGraceMs: number;
  readonly log: { readonly level: string };
  readonly redis: {
    /** The one Redis Herald uses, unless {@link cluster} is set. */
    readonly url: string;
    /** Set when Herald runs on a Redis Cluster; then `url` is not used. */
    readonly cluster?: RedisClusterConfig;
  };
  readonly auth: {
    readonly mode: 'api-key' | 'disabled';
    readonly callers: readonly ApiCaller[];
    /** Requests per second per caller; 0 means unlimited. */
    readonly ratePerSecond: number;
    /** Whether `GET /metrics` needs a key (`api-key`) or is open to scrapers (`public`). */
    readonly metrics: 'public' | 'api-key';
  };
  readonly limits: {
    readonly maxRecipients: number;
    readonly maxSubjectChars: number;
    /** Bytes of UTF-8. */
    readonly maxBodyBytes: number;
    /** Furthest ahead a message's `sendAt` may be, in seconds. */
    readonly maxScheduleAheadSeconds: number;
  };
  /** Message templates (src/templates). */
  readonly templates: {
    /** Absolute path of the folder holding one sub-folder per template. */
    readonly dir: string;
  };
  readonly queue: {
    readonly name: string;
    /** Prefix of every Redis key, BullMQ's and Herald's own. */
    readonly prefix: string;
    /** Notification shards, each with its own hash tag and queue (src/queue/queue-shards.ts). */
    readonly shards: number;
    readonly concurrency: number;
    /** Milliseconds a job lock lasts between renewals; a crashed worker's jobs are retaken after it. */
    readonly lockMs: number;
  };
  readonly idempotency: { readonly ttlSeconds: number };
  readonly records: { readonly ttlSeconds: number };
  /** What authenticates each provider's delivery events (`POST /v1/provider-events/*`). */
  readonly providerEvents: {
    /** Herald's public base URL, without a trailing slash; Twilio signs URLs under it. */
    readonly publicUrl?: string;
    /** Oldest signed timestamp accepted, seconds. */
    readonly maxAgeSeconds: number;
    /** SendGrid's verification key, base64 DER SPKI. */
    readonly sendgridPublicKey?: string;
    /** Mailgun's webhook signing key. */
    readonly mailgunSigningKey?: string;
    /** SNS topic ARNs whose SES events are accepted. */
    readonly snsTopicArns: readonly string[];
    /** Origin patterns (`*` = one DNS label) SNS certificates and SubscribeURLs may come from. */
    readonly snsCertOrigins: readonly string[];
  };
  /** Events posted to callers' endpoints (src/caller-events). */
  readonly callerEvents: {
    /** Host names (lower case; `*.x` = any name under x) an endpoint may point at; empty: none. */
    readonly allowedHosts: readonly string[];
    /** Milliseconds one post may take. */
    readonly deadlineMs: number;
    /** Milliseconds before each retry; an event is tried `length + 1` times. */
    readonly retryScheduleMs: readonly number[];
  };
  readonly email: { readonly defaultFrom?: string };
  readonly providers: ProvidersConfig;
  /** Failover order per kind, holding configured providers only. */
  readonly order: Readonly<Record<ChannelKind, readonly ProviderName[]>>;
  readonly breaker: {
    readonly errorThresholdPercent: number;
    readonly volumeThreshold: number;
    /** Counted failures in a row that open the breaker regardless of the window. */
    readonly consecutiveFailures: number;
    /** Milliseconds. */
    readonly resetTimeoutMs: number;
    /** Milliseconds. */
    readonly rollingWindowMs: number;
  };
  /**
   * Hang detection from the age of the calls in flight: the bound is
   * max(`latencyFactor` × recent p99, `minMs`) milliseconds.
   */
  readonly hang: {
    /** Times the recent p99 latency; 0 means off. */
    readonly latencyFactor: number;
    /** Milliseconds. */
    readonly minMs: number;
  };
  /** Milliseconds a provider rests after a 429 without Retry-After. */
  readonly throttle: { readonly defaultCooldownMs: number };
  readonly retry: { readonly attempts: number; readonly baseMs: number; readonly capMs: number };
  /** Workers' published provider views (`GET /v1/providers`). */
  readonly status: {
    /** Milliseconds between a worker's publications. */
    readonly publishMs: number;
    /** Milliseconds a publication lives: a worker silent this long drops out. */
    readonly ttlMs: number;
  };
  readonly sandbox: {
    readonly enabled: boolean;
    /** Where the SDKs reach the simulator. */
    readonly url: string;
    /** Whether this process runs the simulator itself (sandbox, no HERALD_SANDBOX_URL, not api-only). */
    readonly embedded: boolean;
    /** Where the embedded simulator binds. */
    readonly host: string;
    readonly port: number;
    readonly maxMessages: number;
    /** Host names the simulator answers besides loopback ones (DNS-rebinding guard). */
    readonly allowedHosts: readonly string[];
  };
}
