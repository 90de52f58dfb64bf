import { z } from 'zod';

/**
 * Every environment variable Herald reads, in one place. Each option documents its
 * unit and default; `.env.example` and the README's configuration table mirror this file.
 */

export const PROVIDER_NAMES = ['sendgrid', 'mailgun', 'ses', 'twilio', 'slack'] as const;
/** A provider Herald knows how to call. */
export type ProviderName = (typeof PROVIDER_NAMES)[number];

export const CHANNEL_KINDS = ['email', 'sms', 'chat'] as const;
/** The kind of message a provider carries. */
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** Which kind each provider serves; failover only ever happens within a kind. */
export const PROVIDER_KIND: Record<ProviderName, ChannelKind> = {
  sendgrid: 'email',
  mailgun: 'email',
  ses: 'email',
  twilio: 'sms',
  slack: 'chat',
};

/**
 * The longest delay Node's timers take (2^31 − 1 ms, about 24.8 days): a longer one fires at
 * once, so every option that ends up in a timer is capped here.
 */
export const TIMER_MAX_MS = 2_147_483_647;

/** The longest retention Herald accepts for a Redis key, in seconds (one year). */
export const RETENTION_MAX_SECONDS = 31_536_000;

const int = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const url = (protocols: string[]) =>
  z.url({
    protocol: new RegExp(`^(${protocols.join('|')})$`),
    error: `must be a ${protocols.join(' or ')} URL`,
  });

/** `host:port`, the host a name, an IPv4 address or a bracketed IPv6 address. */
const hostPort = z
  .string()
  .regex(/^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):\d{1,5}$/, {
    error: 'must be host:port',
    abort: true,
  })
  .refine((v) => Number(v.slice(v.lastIndexOf(':') + 1)) <= 65535, 'port must be at most 65535');

const optionalUrl = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))
  .pipe(url(['http', 'https']).optional());

const providerList = (kind: ChannelKind, fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v) =>
      v
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(
          z.enum(
            PROVIDER_NAMES.filter((p) => PROVIDER_KIND[p] === kind) as [
              ProviderName,
              ...ProviderName[],
            ],
            { error: (i) => `unknown ${kind} provider "${String(i.input)}"` },
          ),
        )
        .refine((l) => new Set(l).size === l.length, 'lists a provider twice'),
    );

export const envSchema = z.object({
  /** HTTP port of the API. Default 3000. */
  PORT: int(0, 65535).default(3000),
  /**
   * Interface the API binds to. Default 0.0.0.0, except when authentication is disabled
   * (sandbox mode without keys): then 127.0.0.1, so an open API is not on the network.
   */
  HOST: optionalString,
  /** Which parts run in this process: api (HTTP), worker (delivery), or all. Default all. */
  HERALD_ROLE: z.enum(['api', 'worker', 'all']).default('all'),
  /** Log level: fatal, error, warn, info, debug, trace or silent. Default info. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Redis connection URL (redis:// or rediss://). Default redis://127.0.0.1:6379. */
  REDIS_URL: url(['redis', 'rediss']).default('redis://127.0.0.1:6379'),
  /**
   * Seed nodes of a Redis Cluster (or a managed one: ElastiCache/MemoryDB cluster mode, Valkey
   * cluster), comma-separated `host:port`; one reachable node is enough, the client learns the
   * rest. When set, every connection Herald opens (BullMQ's included) is a cluster client and
   * REDIS_URL must not be set. Default none: one Redis at REDIS_URL.
   */
  REDIS_CLUSTER_NODES: z
    .string()
    .optional()
    .transform((v) =>
      v === undefined
        ? undefined
        : v
            .split(',')
            .map((n) => n.trim())
            .filter(Boolean),
    )
    .pipe(z.array(hostPort).min(1, 'must name at least one host:port').optional()),
  /** Whether cluster connections use TLS (managed services need it). Default false. */
  REDIS_CLUSTER_TLS: bool.default(false),
  /** ACL user of every cluster node. Default none (the `default` user). */
  REDIS_CLUSTER_USERNAME: optionalString,
  /** Password (AUTH) of every cluster node. Secret: may come from REDIS_CLUSTER_PASSWORD_FILE. Default none. */
  REDIS_CLUSTER_PASSWORD: optionalString,
  /**
   * Addresses the cluster announces mapped to addresses Herald can reach, comma-separated
   * `announced-host:port=reachable-host:port`, for a cluster behind NAT or in containers.
   * Default none.
   */
  REDIS_CLUSTER_NAT_MAP: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((m) => m.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z
          .string()
          .regex(
            /^[^=,\s]+:\d{1,5}=[^=,\s]+:\d{1,5}$/,
            'announced-host:port=reachable-host:port pairs',
          ),
      ),
    ),
  /**
   * Milliseconds in-flight requests and jobs get to finish on SIGTERM/SIGINT. Default 20000.
   * In a worker it must exceed the longest delivery round (the sum of the deadlines of the
   * longest failover order), or a stop would cut a round off mid-call.
   */
  HERALD_SHUTDOWN_GRACE_MS: int(1_000, 600_000).default(20_000),

  /** Largest accepted request body, in bytes. Default 262144 (256 KiB). */
  HERALD_BODY_LIMIT_BYTES: int(1024, 10 * 1024 * 1024).default(256 * 1024),
  /** Most recipients (to + cc + bcc) of one e-mail. Default 50. */
  HERALD_MAX_RECIPIENTS: int(1, 1000).default(50),
  /** Longest e-mail subject, in characters. Default 998 (RFC 5322 line limit). */
  HERALD_MAX_SUBJECT_CHARS: int(1, 10_000).default(998),
  /** Largest text or html body, in bytes (UTF-8). Default 102400 (100 KiB). */
  HERALD_MAX_BODY_BYTES: int(1, 5 * 1024 * 1024).default(100 * 1024),
  /** Most messages in one `POST /v1/notifications/batch`. Default 100. */
  HERALD_BATCH_MAX: int(1, 1000).default(100),
  /** Furthest ahead a `sendAt` may be, in seconds. Default 2592000 (30 days). */
  HERALD_MAX_SCHEDULE_AHEAD_SECONDS: int(1, RETENTION_MAX_SECONDS).default(2_592_000),

  /** api-key (callers send Authorization: Bearer) or disabled. Default api-key; sandbox mode defaults to disabled. */
  HERALD_AUTH: z.enum(['api-key', 'disabled']).optional(),
  /**
   * Callers and their keys, comma-separated: `name:key`, or `name:sha256:<64 hex>` so the
   * plain key need not sit in the environment. Secret: may come from HERALD_API_KEYS_FILE.
   */
  HERALD_API_KEYS: optionalString,
  /**
   * Who may read `GET /metrics`: `public` (Prometheus's usual scrape without credentials) or
   * `api-key` (a scrape sends `Authorization: Bearer <key>`). Default public.
   */
  HERALD_METRICS_AUTH: z.enum(['public', 'api-key']).default('public'),
  /** Requests per second one caller may make before 429, 0 for no limit. Default 0. */
  HERALD_CALLER_RATE_PER_SECOND: int(0, 1_000_000).default(0),

  /**
   * Folder of message templates (one sub-folder per template), read once at start; relative
   * paths are from the working directory. Default templates.
   */
  HERALD_TEMPLATES_DIR: z.string().trim().min(1, 'must name a folder').default('templates'),

  /** BullMQ queue name. Default herald-notifications. */
  HERALD_QUEUE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only')
    .default('herald-notifications'),
  /**
   * Prefix of every Redis key Herald writes, BullMQ's included (producers pass it as `prefix`).
   * May hold one hash tag in braces, e.g. `{herald}`, which a Redis Cluster needs. Default herald.
   */
  HERALD_REDIS_PREFIX: z
    .string()
    .regex(
      /^[A-Za-z0-9_-]*(\{[A-Za-z0-9_-]+\})?[A-Za-z0-9_-]*$/,
      'letters, digits, - and _ only, with at most one {hash tag}',
    )
    .min(1, 'must not be empty')
    .default('herald'),
  /**
   * Number of notification shards (1–64): each has its own hash tag (one cluster slot) and its
   * own BullMQ queue, so a Redis Cluster spreads the notifications over its masters. A
   * notification's keys and jobs all live in its shard. Changing it needs a drained Herald
   * (README, Scaling out). Default 1 (today's key names).
   */
  HERALD_QUEUE_SHARDS: int(1, 64).default(1),
  /** Jobs one worker process handles at once. Default 20. */
  HERALD_WORKER_CONCURRENCY: int(1, 1000).default(20),
  /**
   * Milliseconds a worker's lock on an active job lasts between renewals; also the period of
   * the stalled-job check. A crashed worker's jobs run again elsewhere within about twice this.
   * Default 30000.
   */
  HERALD_JOB_LOCK_MS: int(1_000, 600_000).default(30_000),

  /** Seconds an idempotency key is remembered. Default 86400 (24 h). */
  HERALD_IDEMPOTENCY_TTL_SECONDS: int(60, RETENTION_MAX_SECONDS).default(86_400),
  /** Seconds a notification record is kept after its last change. Default 604800 (7 days). */
  HERALD_RECORD_TTL_SECONDS: int(60, RETENTION_MAX_SECONDS).default(604_800),

  /** Failover order for e-mail. Default sendgrid,mailgun,ses. */
  HERALD_EMAIL_PROVIDERS: providerList('email', 'sendgrid,mailgun,ses'),
  /** Failover order for SMS. Default twilio. */
  HERALD_SMS_PROVIDERS: providerList('sms', 'twilio'),
  /** Failover order for chat. Default slack. */
  HERALD_CHAT_PROVIDERS: providerList('chat', 'slack'),
  /** Sender address of e-mails that name none. Default none (then `from` is required). */
  HERALD_EMAIL_FROM: optionalString.pipe(z.email('must be an e-mail address').optional()),

  /** Milliseconds one provider call may take before it is aborted. Default 5000. */
  HERALD_PROVIDER_DEADLINE_MS: int(100, 120_000).default(5_000),
  /** Per-provider deadline overrides, in milliseconds. Default: HERALD_PROVIDER_DEADLINE_MS. */
  SENDGRID_DEADLINE_MS: int(100, 120_000).optional(),
  MAILGUN_DEADLINE_MS: int(100, 120_000).optional(),
  SES_DEADLINE_MS: int(100, 120_000).optional(),
  TWILIO_DEADLINE_MS: int(100, 120_000).optional(),
  SLACK_DEADLINE_MS: int(100, 120_000).optional(),
  /** Per-provider send ceiling across all workers, in sends per second. Default none. */
  SENDGRID_MAX_PER_SECOND: int(1, 1_000_000).optional(),
  MAILGUN_MAX_PER_SECOND: int(1, 1_000_000).optional(),
  SES_MAX_PER_SECOND: int(1, 1_000_000).optional(),
  TWILIO_MAX_PER_SECOND: int(1, 1_000_000).optional(),
  SLACK_MAX_PER_SECOND: int(1, 1_000_000).optional(),

  /** Failure percentage over the rolling window above which a breaker opens. Default 50. */
  HERALD_BREAKER_ERROR_THRESHOLD_PERCENT: int(1, 100).default(50),
  /** Calls in the rolling window before a breaker may open. Default 5. */
  HERALD_BREAKER_VOLUME_THRESHOLD: int(1, 10_000).default(5),
  /**
   * Failures in a row that open a breaker whatever its window holds. Default 5. Without it a
   * provider that goes down after a long healthy spell keeps costing a deadline per message
   * until its failures outweigh the window's earlier successes.
   */
  HERALD_BREAKER_CONSECUTIVE_FAILURES: int(1, 10_000).default(5),
  /** Milliseconds an open breaker waits before a half-open trial. Default 30000. */
  HERALD_BREAKER_RESET_TIMEOUT_MS: int(100, TIMER_MAX_MS).default(30_000),
  /**
   * Milliseconds of history a breaker judges by. Default 60000. Must exceed volume
   * threshold × the longest deadline, or a slow outage never opens the breaker.
   */
  HERALD_BREAKER_ROLLING_WINDOW_MS: int(1_000, TIMER_MAX_MS).default(60_000),
  /**
   * Hang detection: a provider whose oldest call in flight is older than this many times its
   * recent p99 latency (successful calls over the rolling window, at least 20 of them), while
   * none of its calls answered for as long, is declared hung: its breaker opens and its calls
   * in flight are abandoned as ambiguous timeouts before their deadline. 0 turns it off (the
   * deadline alone decides). Default 3.
   */
  HERALD_HANG_LATENCY_FACTOR: int(0, 1_000).default(3),
  /**
   * Milliseconds: the least a call waits before hang detection may abandon it, whatever the
   * recent latency (a fast provider's p99 times the factor can be a few ms). The provider must
   * also have answered nothing for as long, so a healthy provider's slow call is abandoned only
   * when it is the only one out. Hangs are checked every tenth of it (at least 5 ms).
   * Default 100.
   */
  HERALD_HANG_MIN_MS: int(1, TIMER_MAX_MS).default(100),
  /** Milliseconds a provider rests after a 429 that names no Retry-After (at least 1). Default 30000. */
  HERALD_THROTTLE_COOLDOWN_MS: int(1, TIMER_MAX_MS).default(30_000),

  /**
   * Milliseconds between a worker's publications of its providers' breaker view to Redis, read
   * by `GET /v1/providers` and `/status`; a worker silent for three times this drops out of
   * them. Default 1000.
   */
  HERALD_STATUS_PUBLISH_MS: int(100, 60_000).default(1_000),

  /** Delivery rounds before a notification is failed. Default 12. */
  HERALD_RETRY_ATTEMPTS: int(1, 100).default(12),
  /** Backoff base, in milliseconds: round n waits up to base × 2^(n-1). Default 10000. */
  HERALD_RETRY_BASE_MS: int(1, TIMER_MAX_MS).default(10_000),
  /** Longest wait between rounds, in milliseconds. Default 900000 (15 min). */
  HERALD_RETRY_CAP_MS: int(1, TIMER_MAX_MS).default(900_000),

  /**
   * Send everything to the built-in provider simulator instead of real providers.
   * Default: true when no provider variable at all is set (see `PROVIDER_VARIABLES`), else
   * false; `false` with no provider configured refuses to start.
   */
  HERALD_SANDBOX: bool.optional(),
  /** Port of the provider simulator. Default 4010. */
  HERALD_SANDBOX_PORT: int(0, 65535).default(4010),
  /** Host the provider simulator binds to. Default 127.0.0.1. */
  HERALD_SANDBOX_HOST: z.string().min(1).default('127.0.0.1'),
  /**
   * Host names the simulator answers besides loopback ones (`localhost`, `127.0.0.1`, `[::1]`),
   * comma-separated, e.g. `simulator` for the compose service. Any other `Host` header gets 403,
   * so a web page cannot reach it through DNS rebinding. Default none.
   */
  HERALD_SANDBOX_ALLOWED_HOSTS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z.string().regex(/^[a-z0-9.-]+$/, 'host names only (letters, digits, dots and dashes)'),
      ),
    ),
  /**
   * Where the SDKs reach the simulator in sandbox mode. Default http://127.0.0.1:<HERALD_SANDBOX_PORT>,
   * started inside a worker process; when set, Herald uses that simulator and starts none.
   */
  HERALD_SANDBOX_URL: optionalUrl,
  /** Messages the simulator keeps (oldest dropped first). Default 1000. */
  HERALD_SANDBOX_MAX_MESSAGES: int(1, 1_000_000).default(1000),

  /**
   * Herald's public base URL, as providers reach it (e.g. https://herald.example.com): Twilio's
   * signature covers it, and each SMS asks Twilio to post its status to
   * <HERALD_PUBLIC_URL>/v1/provider-events/twilio. Default: none (no SMS status callbacks);
   * in sandbox mode http://127.0.0.1:<PORT>.
   */
  HERALD_PUBLIC_URL: optionalUrl,
  /**
   * Oldest provider event signature accepted, seconds (SendGrid and Mailgun sign a timestamp):
   * older ones are refused as replays. Default 300.
   */
  HERALD_WEBHOOK_MAX_AGE_SECONDS: int(1, 86_400).default(300),
  /**
   * SendGrid Signed Event Webhook verification key (base64 DER, as SendGrid's settings show
   * it). Default: none, so SendGrid events are refused; in sandbox mode the simulator's.
   */
  SENDGRID_WEBHOOK_PUBLIC_KEY: optionalString,
  /**
   * Mailgun HTTP webhook signing key. Secret: may come from MAILGUN_WEBHOOK_SIGNING_KEY_FILE.
   * Default: none, so Mailgun events are refused; in sandbox mode the simulator's.
   */
  MAILGUN_WEBHOOK_SIGNING_KEY: optionalString,
  /**
   * SNS topics whose SES events are accepted, comma-separated ARNs; a subscription to any
   * other topic is neither confirmed nor read. Default: none, so SES events are refused; in
   * sandbox mode the simulator's topic.
   */
  SES_SNS_TOPIC_ARNS: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/, 'an SNS topic ARN'),
      ),
    ),
  /**
   * Where SNS signing certificates (and SubscribeURLs) may be fetched from: comma-separated
   * origins, `*` standing for one DNS label. Nothing elsewhere is fetched. Default
   * https://sns.*.amazonaws.com; in sandbox mode the simulator's origin is added.
   */
  SES_SNS_CERT_ORIGINS: z
    .string()
    .default('https://sns.*.amazonaws.com')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z
          .string()
          .regex(
            /^https?:\/\/[a-z0-9.*-]+(:\d+)?$/,
            'an origin such as https://sns.*.amazonaws.com',
          ),
      ),
    ),
  /**
   * Host names a caller's event endpoint (`PUT /v1/event-endpoint`) may point at,
   * comma-separated; `*.example.com` allows every name under example.com (not example.com
   * itself). Herald posts events to no other host. Default none, so every registration is
   * refused; in sandbox mode the simulator's host, so its event sink works out of the box.
   */
  HERALD_EVENT_ENDPOINT_HOSTS: z
    .string()
    .optional()
    .transform((v) =>
      v === undefined
        ? undefined
        : v
            .split(',')
            .map((h) => h.trim().toLowerCase())
            .filter(Boolean),
    )
    .pipe(
      z
        .array(
          z
            .string()
            .regex(
              /^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*$|^\[[0-9a-f:.]+\]$/,
              'host names such as events.example.com or *.example.com',
            ),
        )
        .optional(),
    ),
  /** Milliseconds one post of an event to a caller's endpoint may take. Default 10000. */
  HERALD_EVENT_DEADLINE_MS: int(100, 120_000).default(10_000),
  /**
   * Milliseconds to wait before each retry of an event the endpoint did not take (a 2xx),
   * comma-separated: the event is tried once more than the list is long. After the last the
   * caller's endpoint is disabled. Default 5000,300000,1800000,7200000,18000000,36000000,36000000
   * (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: about 28 h, the Standard Webhooks schedule).
   */
  HERALD_EVENT_RETRY_SCHEDULE_MS: z
    .string()
    .default('5000,300000,1800000,7200000,18000000,36000000,36000000')
    .transform((v) =>
      v
        .split(',')
        .map((ms) => ms.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(
          z
            .string()
            .regex(/^\d+$/, 'must be a whole number')
            .transform(Number)
            .pipe(
              z
                .number()
                .min(1, 'must be at least 1')
                .max(TIMER_MAX_MS, `must be at most ${TIMER_MAX_MS}`),
            ),
        )
        .max(50, 'at most 50 retries'),
    ),
  /** SendGrid API key. Secret: may come from SENDGRID_API_KEY_FILE. */
  SENDGRID_API_KEY: optionalString,
  /** SendGrid API base URL, e.g. the EU region or an egress proxy. Default the SDK's. */
  SENDGRID_BASE_URL: optionalUrl,
  /** Mailgun API key. Secret: may come from MAILGUN_API_KEY_FILE. */
  MAILGUN_API_KEY: optionalString,
  /** Mailgun sending domain. */
  MAILGUN_DOMAIN: optionalString,
  /** Mailgun API base URL (https://api.eu.mailgun.net for the EU). Default the SDK's. */
  MAILGUN_URL: optionalUrl,
  /** SES region. Default the AWS SDK's chain (AWS_REGION). */
  SES_REGION: optionalString,
  /** SES endpoint override. Default the SDK's. */
  SES_ENDPOINT: optionalUrl,
  /** Set SES_ENABLED=true to use SES with credentials from the AWS SDK's default chain. */
  SES_ENABLED: bool.optional(),
  /** AWS credentials (else the SDK's default chain). Secret: may come from *_FILE. */
  AWS_ACCESS_KEY_ID: optionalString,
  AWS_SECRET_ACCESS_KEY: optionalString,
  AWS_REGION: optionalString,
  /** Twilio account SID. */
  TWILIO_ACCOUNT_SID: optionalString,
  /** Twilio auth token. Secret: may come from TWILIO_AUTH_TOKEN_FILE. */
  TWILIO_AUTH_TOKEN: optionalString,
  /** Twilio sender number (E.164). */
  TWILIO_FROM: optionalString.pipe(
    z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number')
      .optional(),
  ),
  /** Twilio API base URL. Default the SDK's. */
  TWILIO_BASE_URL: optionalUrl,
  /** Slack bot token. Secret: may come from SLACK_BOT_TOKEN_FILE. */
  SLACK_BOT_TOKEN: optionalString,
  /** Slack Web API URL (ending in /api/). Default the SDK's. */
  SLACK_API_URL: optionalUrl,
});

/** Variables that may instead name a file holding the secret (`<NAME>_FILE`). */
export const SECRET_VARIABLES = [
  'HERALD_API_KEYS',
  'SENDGRID_API_KEY',
  'MAILGUN_API_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'TWILIO_AUTH_TOKEN',
  'SLACK_BOT_TOKEN',
  'MAILGUN_WEBHOOK_SIGNING_KEY',
  'REDIS_CLUSTER_PASSWORD',
] as const;

/**
 * The variables of each provider. Setting any of them (or its `<NAME>_FILE`) turns sandbox
 * inference off and requires that provider's whole configuration. `AWS_REGION` is not among
 * them: platforms such as ECS and Lambda set it for every process.
 */
export const PROVIDER_VARIABLES: Record<ProviderName, readonly (keyof Env)[]> = {
  sendgrid: [
    'SENDGRID_API_KEY',
    'SENDGRID_BASE_URL',
    'SENDGRID_DEADLINE_MS',
    'SENDGRID_MAX_PER_SECOND',
  ],
  mailgun: [
    'MAILGUN_API_KEY',
    'MAILGUN_DOMAIN',
    'MAILGUN_URL',
    'MAILGUN_DEADLINE_MS',
    'MAILGUN_MAX_PER_SECOND',
  ],
  ses: [
    'SES_ENABLED',
    'SES_REGION',
    'SES_ENDPOINT',
    'SES_DEADLINE_MS',
    'SES_MAX_PER_SECOND',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
  ],
  twilio: [
    'TWILIO_ACCOUNT_SID',
    'TWILIO_AUTH_TOKEN',
    'TWILIO_FROM',
    'TWILIO_BASE_URL',
    'TWILIO_DEADLINE_MS',
    'TWILIO_MAX_PER_SECOND',
  ],
  slack: ['SLACK_BOT_TOKEN', 'SLACK_API_URL', 'SLACK_DEADLINE_MS', 'SLACK_MAX_PER_SECOND'],
};

export type Env = z.infer<typeof envSchema>;
