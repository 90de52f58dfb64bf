import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  SANDBOX_CREDENTIALS,
  SANDBOX_MAILGUN_WEBHOOK_SIGNING_KEY,
  SANDBOX_SENDGRID_WEBHOOK_KEYS,
  SANDBOX_SNS_TOPIC_ARN,
} from './sandbox-credentials';
import { ConfigError } from './config-error';
import { deadlinesOf, retentionProblems } from './message-lifetime';
import {
  CHANNEL_KINDS,
  type ChannelKind,
  type Env,
  envSchema,
  PROVIDER_KIND,
  PROVIDER_NAMES,
  PROVIDER_VARIABLES,
  type ProviderName,
  SECRET_VARIABLES,
} from './config.schema';
import type {
  ApiCaller,
  HeraldConfig,
  ProvidersConfig,
  RedisClusterConfig,
  RedisNodeAddress,
} from './herald-config';

/** The result of loading: the configuration, and what start-up should warn about once. */
export interface LoadedConfig {
  readonly config: HeraldConfig;
  readonly warnings: readonly string[];
}

type RawEnv = Record<string, string | undefined>;

/**
 * Reads and validates the whole environment once. Throws {@link ConfigError} listing
 * every problem; never returns a half-valid configuration.
 */
export function loadConfig(rawEnv: RawEnv): LoadedConfig {
  const problems: string[] = [];
  const env = resolveSecretFiles(rawEnv, problems);
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push(`${issue.path.join('.') || '(environment)'}: ${issue.message}`);
    }
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  const warnings: string[] = [];

  // Sandbox mode is inferred only from a clean slate: one provider variable set, even a
  // broken one, means someone meant real providers, and every provider check then applies.
  const providerVariablesSet = PROVIDER_NAMES.flatMap((p) => providerVariablesOf(rawEnv, p));
  const sandbox = e.HERALD_SANDBOX ?? providerVariablesSet.length === 0;
  const providers = sandbox ? sandboxProviders(e) : realProviders(e, rawEnv, problems);
  if (sandbox && providerVariablesSet.length > 0) {
    warnings.push(
      `HERALD_SANDBOX=true: ignoring ${providerVariablesSet.join(', ')}; every provider is the simulator`,
    );
  }
  const configured = PROVIDER_NAMES.filter((p) => providers[p].configured);
  if (!sandbox && configured.length === 0 && problems.length === 0) {
    problems.push(
      e.HERALD_SANDBOX === false
        ? "HERALD_SANDBOX: is false but no provider is configured; set a provider's credentials, or HERALD_SANDBOX=true"
        : `${providerVariablesSet.join(', ')}: set, so sandbox mode is off, but no provider is configured`,
    );
  }
  const order = {} as Record<ChannelKind, ProviderName[]>;
  for (const kind of CHANNEL_KINDS) {
    const wanted = orderFor(e, kind);
    order[kind] = wanted.filter((p) => providers[p].configured);
    for (const p of wanted.filter((p) => !providers[p].configured)) {
      warnings.push(`provider ${p} has no credentials: left out of the ${kind} failover order`);
    }
    if (order[kind].length === 0) {
      warnings.push(`no ${kind} provider is configured: ${kind} sends will be refused`);
    }
  }

  const authMode = e.HERALD_AUTH ?? (sandbox && !e.HERALD_API_KEYS ? 'disabled' : 'api-key');
  const callers = parseApiKeys(e.HERALD_API_KEYS, problems);
  if (
    authMode === 'api-key' &&
    callers.length === 0 &&
    !problems.some((p) => p.startsWith('HERALD_API_KEYS'))
  ) {
    problems.push('HERALD_API_KEYS: required unless HERALD_AUTH=disabled');
  }
  if (authMode === 'disabled' && e.HERALD_METRICS_AUTH === 'api-key') {
    problems.push('HERALD_METRICS_AUTH: api-key needs HERALD_AUTH=api-key');
  }
  // An API open to every caller stays on this machine unless the operator says otherwise.
  const host = e.HOST ?? (authMode === 'disabled' ? '127.0.0.1' : '0.0.0.0');
  if (authMode === 'disabled') {
    warnings.push(
      `HERALD_AUTH=disabled: the REST API accepts every caller without a key (listening on ${host})`,
    );
  }

  // Only providers that can be called count: an unconfigured one never takes a deadline.
  const deadlines = configured.map((p) => providers[p].deadlineMs);
  const longestDeadline = Math.max(0, ...deadlines);
  if (e.HERALD_BREAKER_ROLLING_WINDOW_MS <= e.HERALD_BREAKER_VOLUME_THRESHOLD * longestDeadline) {
    problems.push(
      `HERALD_BREAKER_ROLLING_WINDOW_MS: must exceed HERALD_BREAKER_VOLUME_THRESHOLD × the longest provider deadline ` +
        `(${e.HERALD_BREAKER_VOLUME_THRESHOLD} × ${longestDeadline} ms), or a hanging provider never opens its breaker`,
    );
  }
  if (e.HERALD_RETRY_CAP_MS < e.HERALD_RETRY_BASE_MS) {
    problems.push('HERALD_RETRY_CAP_MS: must be at least HERALD_RETRY_BASE_MS');
  }
  problems.push(...retentionProblems(e, deadlinesOf(providers), order));
  if (e.HERALD_ROLE !== 'api') {
    const round = longestRound(order, providers);
    if (e.HERALD_SHUTDOWN_GRACE_MS <= round.ms) {
      problems.push(
        `HERALD_SHUTDOWN_GRACE_MS: must exceed the longest delivery round (${round.kind}: ` +
          `${round.deadlines.join(' + ')} = ${round.ms} ms of deadlines), or a stop cuts a round off mid-call`,
      );
    }
  }
  const cluster = redisCluster(e, rawEnv, problems);
  if (problems.length > 0) throw new ConfigError(problems);

  if (sandbox) {
    warnings.unshift(
      `SANDBOX MODE: every provider is Herald's simulator at ${sandboxUrl(e)}; nothing reaches a real recipient`,
    );
  }

  const config: HeraldConfig = {
    role: e.HERALD_ROLE,
    http: {
      host,
      port: e.PORT,
      bodyLimitBytes: e.HERALD_BODY_LIMIT_BYTES,
      batchMax: e.HERALD_BATCH_MAX,
    },
    shutdownGraceMs: e.HERALD_SHUTDOWN_GRACE_MS,
    log: { level: e.LOG_LEVEL },
    redis: { url: e.REDIS_URL, ...(cluster ? { cluster } : {}) },
    auth: {
      mode: authMode,
      callers,
      ratePerSecond: e.HERALD_CALLER_RATE_PER_SECOND,
      metrics: e.HERALD_METRICS_AUTH,
    },
    limits: {
      maxRecipients: e.HERALD_MAX_RECIPIENTS,
      maxSubjectChars: e.HERALD_MAX_SUBJECT_CHARS,
      maxBodyBytes: e.HERALD_MAX_BODY_BYTES,
      maxScheduleAheadSeconds: e.HERALD_MAX_SCHEDULE_AHEAD_SECONDS,
    },
    templates: { dir: resolve(e.HERALD_TEMPLATES_DIR) },
    queue: {
      name: e.HERALD_QUEUE_NAME,
      prefix: e.HERALD_REDIS_PREFIX,
      shards: e.HERALD_QUEUE_SHARDS,
      concurrency: e.HERALD_WORKER_CONCURRENCY,
      lockMs: e.HERALD_JOB_LOCK_MS,
    },
    idempotency: { ttlSeconds: e.HERALD_IDEMPOTENCY_TTL_SECONDS },
    records: { ttlSeconds: e.HERALD_RECORD_TTL_SECONDS },
    providerEvents: {
      publicUrl: (
        e.HERALD_PUBLIC_URL ?? (sandbox ? `http://127.0.0.1:${e.PORT}` : undefined)
      )?.replace(/\/+$/, ''),
      maxAgeSeconds: e.HERALD_WEBHOOK_MAX_AGE_SECONDS,
      sendgridPublicKey:
        e.SENDGRID_WEBHOOK_PUBLIC_KEY ??
        (sandbox ? SANDBOX_SENDGRID_WEBHOOK_KEYS.publicKey : undefined),
      mailgunSigningKey:
        e.MAILGUN_WEBHOOK_SIGNING_KEY ??
        (sandbox ? SANDBOX_MAILGUN_WEBHOOK_SIGNING_KEY : undefined),
      snsTopicArns:
        e.SES_SNS_TOPIC_ARNS.length > 0 || !sandbox
          ? e.SES_SNS_TOPIC_ARNS
          : [SANDBOX_SNS_TOPIC_ARN],
      snsCertOrigins: sandbox
        ? [...e.SES_SNS_CERT_ORIGINS, new URL(sandboxUrl(e)).origin]
        : e.SES_SNS_CERT_ORIGINS,
    },
    callerEvents: {
      allowedHosts:
        e.HERALD_EVENT_ENDPOINT_HOSTS ??
        (sandbox ? sandboxEventHosts(new URL(sandboxUrl(e)).hostname) : []),
      deadlineMs: e.HERALD_EVENT_DEADLINE_MS,
      retryScheduleMs: e.HERALD_EVENT_RETRY_SCHEDULE_MS,
    },
    email: {
      defaultFrom: e.HERALD_EMAIL_FROM ?? (sandbox ? 'herald@sandbox.herald.test' : undefined),
    },
    providers,
    order,
    breaker: {
      errorThresholdPercent: e.HERALD_BREAKER_ERROR_THRESHOLD_PERCENT,
      volumeThreshold: e.HERALD_BREAKER_VOLUME_THRESHOLD,
      consecutiveFailures: e.HERALD_BREAKER_CONSECUTIVE_FAILURES,
      resetTimeoutMs: e.HERALD_BREAKER_RESET_TIMEOUT_MS,
      rollingWindowMs: e.HERALD_BREAKER_ROLLING_WINDOW_MS,
    },
    hang: { latencyFactor: e.HERALD_HANG_LATENCY_FACTOR, minMs: e.HERALD_HANG_MIN_MS },
    throttle: { defaultCooldownMs: e.HERALD_THROTTLE_COOLDOWN_MS },
    retry: {
      attempts: e.HERALD_RETRY_ATTEMPTS,
      baseMs: e.HERALD_RETRY_BASE_MS,
      capMs: e.HERALD_RETRY_CAP_MS,
    },
    // Three publications may be missed (a GC pause, a slow Redis) before a worker drops out.
    status: { publishMs: e.HERALD_STATUS_PUBLISH_MS, ttlMs: 3 * e.HERALD_STATUS_PUBLISH_MS },
    sandbox: {
      enabled: sandbox,
      url: sandboxUrl(e),
      embedded: sandbox && !e.HERALD_SANDBOX_URL && e.HERALD_ROLE !== 'api',
      host: e.HERALD_SANDBOX_HOST,
      port: e.HERALD_SANDBOX_PORT,
      maxMessages: e.HERALD_SANDBOX_MAX_MESSAGES,
      allowedHosts: e.HERALD_SANDBOX_ALLOWED_HOSTS,
    },
  };
  return { config, warnings };
}

/**
 * `<NAME>_FILE` supplies a secret from a file (Docker and Kubernetes secrets). A secret or a
 * provider variable that is set but empty is an error: it is what an unset variable expanded
 * into a compose file or an empty secret mount looks like, and silently reading it as
 * "not set" would start Herald in the wrong mode.
 */
function resolveSecretFiles(rawEnv: RawEnv, problems: string[]): RawEnv {
  // Other empty variables mean "not set", as in a copied .env.example.
  const env: RawEnv = Object.fromEntries(
    Object.entries(rawEnv).filter(([, v]) => v !== undefined && v.trim() !== ''),
  );
  const mustNotBeEmpty = new Set<string>([
    ...SECRET_VARIABLES,
    ...Object.values(PROVIDER_VARIABLES).flat(),
  ]);
  for (const name of mustNotBeEmpty) {
    for (const variable of [name, `${name}_FILE`]) {
      const value = rawEnv[variable];
      if (value !== undefined && value.trim() === '') {
        problems.push(`${variable}: is set but empty; unset it or give it a value`);
      }
    }
  }
  for (const name of SECRET_VARIABLES) {
    const file = env[`${name}_FILE`];
    if (file === undefined) continue;
    if (rawEnv[name] !== undefined) {
      problems.push(`${name}_FILE: set ${name} or ${name}_FILE, not both`);
      continue;
    }
    try {
      const secret = readFileSync(file, 'utf8').trim();
      if (secret === '') problems.push(`${name}_FILE: ${file} is empty`);
      else env[name] = secret;
    } catch (err) {
      problems.push(
        `${name}_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  return env;
}

/** The variables of `provider` that are set (`<NAME>_FILE` counts as its secret being set). */
function providerVariablesOf(rawEnv: RawEnv, provider: ProviderName): string[] {
  return PROVIDER_VARIABLES[provider].filter(
    (name) => rawEnv[name] !== undefined || rawEnv[`${name}_FILE`] !== undefined,
  );
}

/** The kind whose whole failover order takes longest when every provider hits its deadline. */
function longestRound(
  order: Record<ChannelKind, ProviderName[]>,
  providers: ProvidersConfig,
): { kind: ChannelKind; deadlines: number[]; ms: number } {
  let longest = { kind: CHANNEL_KINDS[0] as ChannelKind, deadlines: [] as number[], ms: 0 };
  for (const kind of CHANNEL_KINDS) {
    const deadlines = order[kind].map((p) => providers[p].deadlineMs);
    const ms = deadlines.reduce((a, b) => a + b, 0);
    if (ms > longest.ms) longest = { kind, deadlines, ms };
  }
  return longest;
}

function orderFor(e: Env, kind: ChannelKind): ProviderName[] {
  switch (kind) {
    case 'email':
      return e.HERALD_EMAIL_PROVIDERS;
    case 'sms':
      return e.HERALD_SMS_PROVIDERS;
    case 'chat':
      return e.HERALD_CHAT_PROVIDERS;
  }
}

function common<N extends ProviderName>(e: Env, name: N, configured: boolean) {
  const upper = name.toUpperCase() as Uppercase<N>;
  const deadline = e[`${upper}_DEADLINE_MS` as keyof Env] as number | undefined;
  const max = e[`${upper}_MAX_PER_SECOND` as keyof Env] as number | undefined;
  return {
    name,
    kind: PROVIDER_KIND[name],
    configured,
    deadlineMs: deadline ?? e.HERALD_PROVIDER_DEADLINE_MS,
    ...(max === undefined ? {} : { maxPerSecond: max }),
  };
}

const PROVIDER_LABEL: Record<ProviderName, string> = {
  sendgrid: 'SendGrid',
  mailgun: 'Mailgun',
  ses: 'SES',
  twilio: 'Twilio',
  slack: 'Slack',
};

function realProviders(e: Env, rawEnv: RawEnv, problems: string[]): ProvidersConfig {
  /**
   * A provider is configured when all its `required` variables are set; when only some of its
   * variables are set it is a mistake, named with what is missing and what gave it away.
   */
  const complete = (provider: ProviderName, required: Record<string, unknown>): boolean => {
    const set = providerVariablesOf(rawEnv, provider);
    if (set.length === 0) return false;
    // An empty or unreadable variable already has its own problem; "missing" would repeat it.
    const named = (p: string) =>
      set.some((v) => p.startsWith(`${v}:`) || p.startsWith(`${v}_FILE:`));
    if (problems.some(named)) return false;
    const missing = Object.keys(required).filter((k) => required[k] === undefined);
    if (missing.length === 0) return true;
    problems.push(
      `${missing.join(', ')}: required to configure ${PROVIDER_LABEL[provider]} ` +
        `(${set.join(', ')} ${set.length === 1 ? 'is' : 'are'} set)`,
    );
    return false;
  };
  if ((e.AWS_ACCESS_KEY_ID === undefined) !== (e.AWS_SECRET_ACCESS_KEY === undefined)) {
    problems.push('AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: set both or neither');
  }
  const sesCredentials =
    e.AWS_ACCESS_KEY_ID && e.AWS_SECRET_ACCESS_KEY
      ? { accessKeyId: e.AWS_ACCESS_KEY_ID, secretAccessKey: e.AWS_SECRET_ACCESS_KEY }
      : undefined;
  const sesRegion = e.SES_REGION ?? e.AWS_REGION;
  // SES_ENABLED=false alone switches SES off on purpose; SES_ENABLED=true uses the AWS chain.
  const sesOff = e.SES_ENABLED === false && providerVariablesOf(rawEnv, 'ses').length === 1;
  const sesConfigured =
    !sesOff &&
    complete('ses', {
      'SES_ENABLED=true or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY':
        e.SES_ENABLED || sesCredentials ? true : undefined,
      'SES_REGION (or AWS_REGION)': sesRegion,
    });
  return {
    sendgrid: {
      ...common(e, 'sendgrid', complete('sendgrid', { SENDGRID_API_KEY: e.SENDGRID_API_KEY })),
      apiKey: e.SENDGRID_API_KEY,
      baseUrl: e.SENDGRID_BASE_URL,
    },
    mailgun: {
      ...common(
        e,
        'mailgun',
        complete('mailgun', {
          MAILGUN_API_KEY: e.MAILGUN_API_KEY,
          MAILGUN_DOMAIN: e.MAILGUN_DOMAIN,
        }),
      ),
      apiKey: e.MAILGUN_API_KEY,
      domain: e.MAILGUN_DOMAIN,
      url: e.MAILGUN_URL,
    },
    ses: {
      ...common(e, 'ses', sesConfigured),
      region: sesRegion,
      endpoint: e.SES_ENDPOINT,
      credentials: sesCredentials,
    },
    twilio: {
      ...common(
        e,
        'twilio',
        complete('twilio', {
          TWILIO_ACCOUNT_SID: e.TWILIO_ACCOUNT_SID,
          TWILIO_AUTH_TOKEN: e.TWILIO_AUTH_TOKEN,
          TWILIO_FROM: e.TWILIO_FROM,
        }),
      ),
      accountSid: e.TWILIO_ACCOUNT_SID,
      authToken: e.TWILIO_AUTH_TOKEN,
      from: e.TWILIO_FROM,
      baseUrl: e.TWILIO_BASE_URL,
    },
    slack: {
      ...common(e, 'slack', complete('slack', { SLACK_BOT_TOKEN: e.SLACK_BOT_TOKEN })),
      token: e.SLACK_BOT_TOKEN,
      apiUrl: e.SLACK_API_URL,
    },
  };
}

/**
 * Where sandbox mode lets callers' events go by default: the simulator's host (its event sink),
 * under both loopback names when it is on this machine.
 */
function sandboxEventHosts(simulatorHost: string): string[] {
  const loopback = ['127.0.0.1', 'localhost'];
  return loopback.includes(simulatorHost) ? loopback : [simulatorHost];
}

function sandboxUrl(e: Env): string {
  if (e.HERALD_SANDBOX_URL) return e.HERALD_SANDBOX_URL.replace(/\/+$/, '');
  const host =
    e.HERALD_SANDBOX_HOST === '0.0.0.0' || e.HERALD_SANDBOX_HOST === '::'
      ? '127.0.0.1'
      : e.HERALD_SANDBOX_HOST;
  return `http://${host}:${e.HERALD_SANDBOX_PORT}`;
}

function sandboxProviders(e: Env): ProvidersConfig {
  const base = sandboxUrl(e);
  const c = SANDBOX_CREDENTIALS;
  return {
    sendgrid: { ...common(e, 'sendgrid', true), apiKey: c.sendgrid.apiKey, baseUrl: base },
    mailgun: {
      ...common(e, 'mailgun', true),
      apiKey: c.mailgun.apiKey,
      domain: c.mailgun.domain,
      url: base,
    },
    ses: {
      ...common(e, 'ses', true),
      region: c.ses.region,
      endpoint: base,
      credentials: { accessKeyId: c.ses.accessKeyId, secretAccessKey: c.ses.secretAccessKey },
    },
    twilio: {
      ...common(e, 'twilio', true),
      accountSid: c.twilio.accountSid,
      authToken: c.twilio.authToken,
      from: c.twilio.from,
      baseUrl: base,
    },
    slack: { ...common(e, 'slack', true), token: c.slack.token, apiUrl: `${base}/api/` },
  };
}

const HASHED_KEY = /^sha256:([0-9a-f]{64})$/i;
/** `name+admin:key`: the caller may read and re-drive every caller's notifications. */
const ADMIN_SUFFIX = '+admin';

function parseApiKeys(raw: string | undefined, problems: string[]): ApiCaller[] {
  if (!raw) return [];
  const callers: ApiCaller[] = [];
  const names = new Set<string>();
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .forEach((entry, index) => {
      const colon = entry.indexOf(':');
      const label = colon > 0 ? entry.slice(0, colon) : '';
      const secret = colon > 0 ? entry.slice(colon + 1) : '';
      const admin = label.endsWith(ADMIN_SUFFIX);
      const name = admin ? label.slice(0, -ADMIN_SUFFIX.length) : label;
      // Position, never the entry itself: the entry holds the key.
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(name) || secret.length === 0) {
        problems.push(
          `HERALD_API_KEYS: entry ${index + 1} must be name:key, name:sha256:<64 hex> or name+admin:…`,
        );
        return;
      }
      if (names.has(name)) {
        problems.push(`HERALD_API_KEYS: caller "${name}" is listed twice`);
        return;
      }
      names.add(name);
      const hashed = HASHED_KEY.exec(secret);
      if (!hashed && secret.length < 16) {
        problems.push(
          `HERALD_API_KEYS: the key of caller "${name}" must be at least 16 characters`,
        );
        return;
      }
      callers.push({
        name,
        admin,
        keySha256: hashed
          ? Buffer.from(hashed[1]!, 'hex')
          : createHash('sha256').update(secret).digest(),
      });
    });
  return callers;
}

/**
 * The Redis Cluster to use, when REDIS_CLUSTER_NODES names one. A cluster runs a script or a
 * MULTI only when all its keys hash to one slot, and BullMQ's scripts touch several keys of a
 * queue: the prefix must carry a hash tag so that they do.
 */
function redisCluster(e: Env, rawEnv: RawEnv, problems: string[]): RedisClusterConfig | undefined {
  if (!e.REDIS_CLUSTER_NODES) return undefined;
  if ((rawEnv.REDIS_URL ?? '').trim() !== '') {
    problems.push('REDIS_URL: set together with REDIS_CLUSTER_NODES; set one of them');
  }
  if (!/\{[^}]+\}/.test(e.HERALD_REDIS_PREFIX)) {
    problems.push(
      `HERALD_REDIS_PREFIX: on a Redis Cluster must hold a hash tag, e.g. {${e.HERALD_REDIS_PREFIX}}, ` +
        "so that each script's keys share one slot",
    );
  }
  const natMap: Record<string, RedisNodeAddress> = {};
  for (const pair of e.REDIS_CLUSTER_NAT_MAP) {
    const [announced, reachable] = pair.split('=') as [string, string];
    natMap[announced] = nodeAddress(reachable);
  }
  return {
    nodes: e.REDIS_CLUSTER_NODES.map(nodeAddress),
    tls: e.REDIS_CLUSTER_TLS,
    ...(e.REDIS_CLUSTER_USERNAME ? { username: e.REDIS_CLUSTER_USERNAME } : {}),
    ...(e.REDIS_CLUSTER_PASSWORD ? { password: e.REDIS_CLUSTER_PASSWORD } : {}),
    natMap,
  };
}

/** `host:port` (validated by the schema) as an address; an IPv6 host loses its brackets. */
function nodeAddress(hostPort: string): RedisNodeAddress {
  const at = hostPort.lastIndexOf(':');
  return {
    host: hostPort.slice(0, at).replace(/^\[|\]$/g, ''),
    port: Number(hostPort.slice(at + 1)),
  };
}
