import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SANDBOX_CREDENTIALS } from './sandbox-credentials';
import { ConfigError } from './config-error';
import { deadlinesOf, retentionProblems } from './message-lifetime';
import {
  CHANNEL_KINDS,
  type ChannelKind,
  type Env,
  envSchema,
  PROVIDER_KIND,
  type ProviderName,
  SECRET_VARIABLES,
} from './config.schema';
import type { ApiCaller, HeraldConfig, ProvidersConfig } from './herald-config';

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

  const sandbox = e.HERALD_SANDBOX ?? !hasAnyProviderCredentials(e);
  const providers = sandbox ? sandboxProviders(e) : realProviders(e, problems);
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
  if (authMode === 'disabled') {
    warnings.push('HERALD_AUTH=disabled: the REST API accepts every caller without a key');
  }

  const longestDeadline = Math.max(...Object.values(providers).map((p) => p.deadlineMs));
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
  if (problems.length > 0) throw new ConfigError(problems);

  if (sandbox) {
    warnings.unshift(
      `SANDBOX MODE: every provider is Herald's simulator at ${sandboxUrl(e)}; nothing reaches a real recipient`,
    );
  }

  const config: HeraldConfig = {
    role: e.HERALD_ROLE,
    http: { host: e.HOST, port: e.PORT, bodyLimitBytes: e.HERALD_BODY_LIMIT_BYTES },
    shutdownGraceMs: e.HERALD_SHUTDOWN_GRACE_MS,
    log: { level: e.LOG_LEVEL },
    redis: { url: e.REDIS_URL },
    auth: { mode: authMode, callers, ratePerSecond: e.HERALD_CALLER_RATE_PER_SECOND },
    limits: {
      maxRecipients: e.HERALD_MAX_RECIPIENTS,
      maxSubjectChars: e.HERALD_MAX_SUBJECT_CHARS,
      maxBodyBytes: e.HERALD_MAX_BODY_BYTES,
    },
    templates: { dir: resolve(e.HERALD_TEMPLATES_DIR) },
    queue: {
      name: e.HERALD_QUEUE_NAME,
      prefix: e.HERALD_REDIS_PREFIX,
      concurrency: e.HERALD_WORKER_CONCURRENCY,
      lockMs: e.HERALD_JOB_LOCK_MS,
    },
    idempotency: { ttlSeconds: e.HERALD_IDEMPOTENCY_TTL_SECONDS },
    records: { ttlSeconds: e.HERALD_RECORD_TTL_SECONDS },
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
    },
  };
  return { config, warnings };
}

/** `<NAME>_FILE` supplies a secret from a file (Docker and Kubernetes secrets). */
function resolveSecretFiles(rawEnv: RawEnv, problems: string[]): RawEnv {
  // An empty variable means "not set", as in a copied .env.example.
  const env: RawEnv = Object.fromEntries(Object.entries(rawEnv).filter(([, v]) => v !== ''));
  for (const name of SECRET_VARIABLES) {
    const file = rawEnv[`${name}_FILE`];
    if (!file) continue;
    if (rawEnv[name]) {
      problems.push(`${name}_FILE: set ${name} or ${name}_FILE, not both`);
      continue;
    }
    try {
      env[name] = readFileSync(file, 'utf8').trim();
    } catch (err) {
      problems.push(
        `${name}_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  return env;
}

function hasAnyProviderCredentials(e: Env): boolean {
  return Boolean(
    e.SENDGRID_API_KEY ||
    e.MAILGUN_API_KEY ||
    e.SES_ENABLED ||
    e.AWS_ACCESS_KEY_ID ||
    e.TWILIO_ACCOUNT_SID ||
    e.SLACK_BOT_TOKEN,
  );
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

function realProviders(e: Env, problems: string[]): ProvidersConfig {
  const requireAll = (label: string, vars: Record<string, unknown>): boolean => {
    const set = Object.entries(vars).filter(([, v]) => v !== undefined && v !== '');
    if (set.length === 0) return false;
    if (set.length < Object.keys(vars).length) {
      const missing = Object.keys(vars).filter((k) => !set.some(([s]) => s === k));
      problems.push(`${missing.join(', ')}: required to configure ${label}`);
      return false;
    }
    return true;
  };
  const sesCredentials =
    e.AWS_ACCESS_KEY_ID && e.AWS_SECRET_ACCESS_KEY
      ? { accessKeyId: e.AWS_ACCESS_KEY_ID, secretAccessKey: e.AWS_SECRET_ACCESS_KEY }
      : undefined;
  if (Boolean(e.AWS_ACCESS_KEY_ID) !== Boolean(e.AWS_SECRET_ACCESS_KEY)) {
    problems.push('AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: set both or neither');
  }
  const sesConfigured = Boolean(e.SES_ENABLED || sesCredentials);
  const sesRegion = e.SES_REGION ?? e.AWS_REGION;
  if (sesConfigured && !sesRegion)
    problems.push('SES_REGION: required to configure SES (or AWS_REGION)');
  return {
    sendgrid: {
      ...common(e, 'sendgrid', Boolean(e.SENDGRID_API_KEY)),
      apiKey: e.SENDGRID_API_KEY,
      baseUrl: e.SENDGRID_BASE_URL,
    },
    mailgun: {
      ...common(
        e,
        'mailgun',
        requireAll('Mailgun', {
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
        requireAll('Twilio', {
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
      ...common(e, 'slack', Boolean(e.SLACK_BOT_TOKEN)),
      token: e.SLACK_BOT_TOKEN,
      apiUrl: e.SLACK_API_URL,
    },
  };
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
      const name = colon > 0 ? entry.slice(0, colon) : '';
      const secret = colon > 0 ? entry.slice(colon + 1) : '';
      // Position, never the entry itself: the entry holds the key.
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(name) || secret.length === 0) {
        problems.push(
          `HERALD_API_KEYS: entry ${index + 1} must be name:key or name:sha256:<64 hex>`,
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
        keySha256: hashed
          ? Buffer.from(hashed[1]!, 'hex')
          : createHash('sha256').update(secret).digest(),
      });
    });
  return callers;
}
