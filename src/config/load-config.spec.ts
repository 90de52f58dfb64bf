import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX_CREDENTIALS } from './sandbox-credentials';
import { ConfigError } from './config-error';
import { loadConfig } from './load-config';

type Env = Record<string, string | undefined>;

const problemsOf = (env: Env): readonly string[] => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

const KEY = 'billing:0123456789abcdef0123';
/** The smallest real (non-sandbox) configuration: one provider and one caller. */
const REAL: Env = { SENDGRID_API_KEY: 'SG.key', HERALD_API_KEYS: KEY };

const secretFile = (content: string): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'herald-')), 'secret');
  writeFileSync(path, content);
  return path;
};

describe(loadConfig.name, () => {
  describe('with an empty environment', () => {
    it('runs in sandbox mode with every provider pointed at the simulator', () => {
      const { config, warnings } = loadConfig({});
      expect(config.sandbox.enabled).toBe(true);
      expect(config.sandbox.embedded).toBe(true);
      expect(config.order).toEqual({
        email: ['sendgrid', 'mailgun', 'ses'],
        sms: ['twilio'],
        chat: ['slack'],
      });
      const c = SANDBOX_CREDENTIALS;
      expect(config.providers).toMatchObject({
        sendgrid: { configured: true, apiKey: c.sendgrid.apiKey, baseUrl: 'http://127.0.0.1:4010' },
        mailgun: {
          apiKey: c.mailgun.apiKey,
          domain: c.mailgun.domain,
          url: 'http://127.0.0.1:4010',
        },
        ses: {
          region: c.ses.region,
          endpoint: 'http://127.0.0.1:4010',
          credentials: { accessKeyId: c.ses.accessKeyId, secretAccessKey: c.ses.secretAccessKey },
        },
        twilio: {
          accountSid: c.twilio.accountSid,
          authToken: c.twilio.authToken,
          from: c.twilio.from,
          baseUrl: 'http://127.0.0.1:4010',
        },
        slack: { token: c.slack.token, apiUrl: 'http://127.0.0.1:4010/api/' },
      });
      expect(config.email.defaultFrom).toBe('herald@sandbox.herald.test');
      expect(config.auth.mode).toBe('disabled');
      expect(warnings).toEqual([
        "SANDBOX MODE: every provider is Herald's simulator at http://127.0.0.1:4010; nothing reaches a real recipient",
        'HERALD_AUTH=disabled: the REST API accepts every caller without a key (listening on 127.0.0.1)',
      ]);
    });

    it('binds the open API to loopback', () => {
      expect(loadConfig({}).config.http.host).toBe('127.0.0.1');
    });

    it('uses the documented defaults', () => {
      const { config } = loadConfig({});
      expect(config).toMatchObject({
        role: 'all',
        http: { port: 3000, bodyLimitBytes: 262_144, batchMax: 100 },
        shutdownGraceMs: 20_000,
        log: { level: 'info' },
        redis: { url: 'redis://127.0.0.1:6379' },
        auth: { callers: [], ratePerSecond: 0, metrics: 'public' },
        limits: {
          maxRecipients: 50,
          maxSubjectChars: 998,
          maxBodyBytes: 102_400,
          maxScheduleAheadSeconds: 2_592_000,
        },
        queue: {
          name: 'herald-notifications',
          prefix: 'herald',
          shards: 1,
          concurrency: 20,
          lockMs: 30_000,
        },
        idempotency: { ttlSeconds: 86_400 },
        records: { ttlSeconds: 604_800 },
        breaker: {
          errorThresholdPercent: 50,
          volumeThreshold: 5,
          consecutiveFailures: 5,
          resetTimeoutMs: 30_000,
          rollingWindowMs: 60_000,
        },
        hang: { latencyFactor: 3, minMs: 100 },
        throttle: { defaultCooldownMs: 30_000 },
        retry: { attempts: 12, baseMs: 10_000, capMs: 900_000 },
        status: { publishMs: 1_000, ttlMs: 3_000 },
        sandbox: {
          url: 'http://127.0.0.1:4010',
          host: '127.0.0.1',
          port: 4010,
          maxMessages: 1000,
          allowedHosts: [],
        },
      });
      expect(config.providers.sendgrid.deadlineMs).toBe(5_000);
      expect(config.providers.sendgrid.maxPerSecond).toBeUndefined();
    });
  });

  describe('sandbox mode', () => {
    it.each([
      ['HERALD_SANDBOX_URL', { HERALD_SANDBOX_URL: 'http://sim:4010/' }, 'http://sim:4010', false],
      ['a wildcard bind', { HERALD_SANDBOX_HOST: '0.0.0.0' }, 'http://127.0.0.1:4010', true],
      ['an IPv6 wildcard bind', { HERALD_SANDBOX_HOST: '::' }, 'http://127.0.0.1:4010', true],
      ['another port', { HERALD_SANDBOX_PORT: '4999' }, 'http://127.0.0.1:4999', true],
      ['a named host', { HERALD_SANDBOX_HOST: 'sim.local' }, 'http://sim.local:4010', true],
    ])('reaches the simulator as configured by %s', (_, env, url, embedded) => {
      const { config } = loadConfig(env);
      expect(config.sandbox.url).toBe(url);
      expect(config.sandbox.embedded).toBe(embedded);
      expect(config.providers.mailgun.url).toBe(url);
    });

    it('embeds no simulator in an api-only process', () => {
      expect(loadConfig({ HERALD_ROLE: 'api' }).config.sandbox.embedded).toBe(false);
    });

    it('keeps auth on, and the network bind, when keys are given', () => {
      const { config } = loadConfig({ HERALD_API_KEYS: KEY });
      expect(config.auth.mode).toBe('api-key');
      expect(config.http.host).toBe('0.0.0.0');
    });

    it('binds where HOST says even with auth disabled', () => {
      expect(loadConfig({ HOST: '0.0.0.0' }).config.http.host).toBe('0.0.0.0');
    });

    it('is explicit when HERALD_SANDBOX=true overrides provider variables, naming them', () => {
      const { config, warnings } = loadConfig({
        HERALD_SANDBOX: 'true',
        SENDGRID_API_KEY: 'SG.x',
        SLACK_BOT_TOKEN: 'xoxb',
      });
      expect(config.providers.sendgrid.apiKey).toBe(SANDBOX_CREDENTIALS.sendgrid.apiKey);
      expect(warnings).toContain(
        'HERALD_SANDBOX=true: ignoring SENDGRID_API_KEY, SLACK_BOT_TOKEN; every provider is the simulator',
      );
    });

    it('keeps a configured default sender', () => {
      const { config } = loadConfig({ HERALD_EMAIL_FROM: 'ops@example.com' });
      expect(config.email.defaultFrom).toBe('ops@example.com');
    });

    it.each(['1', 'true'])('is on with HERALD_SANDBOX=%s', (value) => {
      expect(loadConfig({ HERALD_SANDBOX: value }).config.sandbox.enabled).toBe(true);
    });
  });

  describe('the mode is never guessed from a half-set provider', () => {
    // Each of these started Herald in sandbox mode before: records said delivered, nothing went out.
    it.each<[string, Env, string]>([
      [
        'MAILGUN_DOMAIN without its key',
        { MAILGUN_DOMAIN: 'mg.example.com' },
        'MAILGUN_API_KEY: required to configure Mailgun (MAILGUN_DOMAIN is set)',
      ],
      [
        'a Mailgun key without its domain',
        { MAILGUN_API_KEY: 'k' },
        'MAILGUN_DOMAIN: required to configure Mailgun (MAILGUN_API_KEY is set)',
      ],
      [
        'a SendGrid base URL alone',
        { SENDGRID_BASE_URL: 'https://api.eu.sendgrid.com' },
        'SENDGRID_API_KEY: required to configure SendGrid (SENDGRID_BASE_URL is set)',
      ],
      [
        'a SendGrid deadline alone',
        { SENDGRID_DEADLINE_MS: '3000' },
        'SENDGRID_API_KEY: required to configure SendGrid (SENDGRID_DEADLINE_MS is set)',
      ],
      [
        'a Twilio SID alone',
        { TWILIO_ACCOUNT_SID: 'AC1' },
        'TWILIO_AUTH_TOKEN, TWILIO_FROM: required to configure Twilio (TWILIO_ACCOUNT_SID is set)',
      ],
      [
        'a Twilio token and sender',
        { TWILIO_AUTH_TOKEN: 't', TWILIO_FROM: '+14155550100' },
        'TWILIO_ACCOUNT_SID: required to configure Twilio (TWILIO_AUTH_TOKEN, TWILIO_FROM are set)',
      ],
      [
        'a Slack API URL alone',
        { SLACK_API_URL: 'https://slack.example/api/' },
        'SLACK_BOT_TOKEN: required to configure Slack (SLACK_API_URL is set)',
      ],
      [
        'an SES region alone',
        { SES_REGION: 'eu-west-1' },
        'SES_ENABLED=true or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY: required to configure SES (SES_REGION is set)',
      ],
      [
        'SES enabled without a region',
        { SES_ENABLED: 'true' },
        'SES_REGION (or AWS_REGION): required to configure SES (SES_ENABLED is set)',
      ],
      [
        'SES switched off yet given an endpoint',
        { SES_ENABLED: 'false', SES_ENDPOINT: 'http://ses.local' },
        'SES_ENABLED=true or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, SES_REGION (or AWS_REGION): required to configure SES (SES_ENABLED, SES_ENDPOINT are set)',
      ],
    ])('refuses %s, naming what is missing', (_, env, problem) => {
      expect(problemsOf({ HERALD_API_KEYS: KEY, ...env })).toEqual([problem]);
    });

    it('refuses one AWS key without the other', () => {
      expect(
        problemsOf({ HERALD_API_KEYS: KEY, AWS_ACCESS_KEY_ID: 'AKIA', SES_REGION: 'eu-west-1' }),
      ).toEqual([
        'AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: set both or neither',
        'SES_ENABLED=true or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY: required to configure SES (SES_REGION, AWS_ACCESS_KEY_ID are set)',
      ]);
    });

    it('refuses HERALD_SANDBOX=false with nothing configured', () => {
      expect(problemsOf({ HERALD_SANDBOX: 'false', HERALD_API_KEYS: KEY })).toEqual([
        "HERALD_SANDBOX: is false but no provider is configured; set a provider's credentials, or HERALD_SANDBOX=true",
      ]);
    });

    it('refuses SES switched off with nothing else configured, naming the variable', () => {
      expect(problemsOf({ SES_ENABLED: 'false', HERALD_API_KEYS: KEY })).toEqual([
        'SES_ENABLED: set, so sandbox mode is off, but no provider is configured',
      ]);
    });

    it('lets SES_ENABLED=false switch SES off beside another provider', () => {
      const { config } = loadConfig({ ...REAL, SES_ENABLED: 'false' });
      expect(config.order.email).toEqual(['sendgrid']);
      expect(config.providers.ses.configured).toBe(false);
    });

    it('does not count AWS_REGION alone as a provider (platforms set it)', () => {
      const { config } = loadConfig({ AWS_REGION: 'eu-west-1' });
      expect(config.sandbox.enabled).toBe(true);
    });

    it('counts a provider secret given as <NAME>_FILE', () => {
      const problems = problemsOf({
        HERALD_API_KEYS: KEY,
        MAILGUN_API_KEY_FILE: secretFile('key-1'),
      });
      expect(problems).toEqual([
        'MAILGUN_DOMAIN: required to configure Mailgun (MAILGUN_API_KEY is set)',
      ]);
    });
  });

  describe('empty secrets', () => {
    it.each([
      'SENDGRID_API_KEY',
      'MAILGUN_DOMAIN',
      'SES_REGION',
      'TWILIO_FROM',
      'SLACK_BOT_TOKEN',
      'HERALD_API_KEYS',
      'AWS_SECRET_ACCESS_KEY',
    ])('refuses %s set but empty', (name) => {
      expect(problemsOf({ ...REAL, [name]: '  ' })).toContain(
        `${name}: is set but empty; unset it or give it a value`,
      );
    });

    it('refuses an empty <NAME>_FILE variable', () => {
      expect(problemsOf({ ...REAL, SLACK_BOT_TOKEN_FILE: '' })).toContain(
        'SLACK_BOT_TOKEN_FILE: is set but empty; unset it or give it a value',
      );
    });

    it('refuses a secret file that holds nothing', () => {
      const file = secretFile('\n');
      expect(problemsOf({ HERALD_API_KEYS: KEY, SENDGRID_API_KEY_FILE: file })).toEqual([
        `SENDGRID_API_KEY_FILE: ${file} is empty`,
      ]);
    });

    it('refuses a secret file that cannot be read', () => {
      expect(
        problemsOf({ HERALD_API_KEYS: KEY, SENDGRID_API_KEY_FILE: '/nonexistent/herald-key' }),
      ).toContain('SENDGRID_API_KEY_FILE: cannot read /nonexistent/herald-key (ENOENT)');
    });

    it('refuses a secret set both directly and as a file', () => {
      expect(problemsOf({ ...REAL, SENDGRID_API_KEY_FILE: secretFile('SG.other') })).toContain(
        'SENDGRID_API_KEY_FILE: set SENDGRID_API_KEY or SENDGRID_API_KEY_FILE, not both',
      );
    });

    it('reads other empty variables as unset, as in a copied .env.example', () => {
      const { config } = loadConfig({ HERALD_AUTH: '', PORT: '', HERALD_SANDBOX: '' });
      expect(config.http.port).toBe(3000);
      expect(config.sandbox.enabled).toBe(true);
    });
  });

  describe('bounds', () => {
    it.each<[string, string, string]>([
      ['HERALD_THROTTLE_COOLDOWN_MS', '0', 'must be at least 1'],
      ['HERALD_THROTTLE_COOLDOWN_MS', '2147483648', 'must be at most 2147483647'],
      ['HERALD_BREAKER_RESET_TIMEOUT_MS', '99', 'must be at least 100'],
      ['HERALD_BREAKER_RESET_TIMEOUT_MS', '2147483648', 'must be at most 2147483647'],
      ['HERALD_BREAKER_ROLLING_WINDOW_MS', '2147483648', 'must be at most 2147483647'],
      ['HERALD_RETRY_BASE_MS', '0', 'must be at least 1'],
      ['HERALD_RETRY_CAP_MS', '2147483648', 'must be at most 2147483647'],
      ['HERALD_SHUTDOWN_GRACE_MS', '999', 'must be at least 1000'],
      ['HERALD_SHUTDOWN_GRACE_MS', '600001', 'must be at most 600000'],
      ['HERALD_IDEMPOTENCY_TTL_SECONDS', '59', 'must be at least 60'],
      ['HERALD_IDEMPOTENCY_TTL_SECONDS', '31536001', 'must be at most 31536000'],
      ['HERALD_RECORD_TTL_SECONDS', '31536001', 'must be at most 31536000'],
      ['HERALD_JOB_LOCK_MS', '600001', 'must be at most 600000'],
      ['HERALD_PROVIDER_DEADLINE_MS', '120001', 'must be at most 120000'],
      ['SES_DEADLINE_MS', '99', 'must be at least 100'],
      ['TWILIO_MAX_PER_SECOND', '1000001', 'must be at most 1000000'],
      ['HERALD_STATUS_PUBLISH_MS', '60001', 'must be at most 60000'],
      ['PORT', '65536', 'must be at most 65535'],
      ['HERALD_RETRY_ATTEMPTS', '1.5', 'must be a whole number'],
    ])('refuses %s=%s: %s', (name, value, message) => {
      expect(problemsOf({ [name]: value })).toEqual([`${name}: ${message}`]);
    });

    it.each<[string, string]>([
      ['HERALD_THROTTLE_COOLDOWN_MS', '1'],
      ['HERALD_THROTTLE_COOLDOWN_MS', '2147483647'],
      ['HERALD_RETRY_CAP_MS', '2147483647'],
      ['HERALD_IDEMPOTENCY_TTL_SECONDS', '31536000'],
    ])('accepts %s=%s, the edge of its range', (name, value) => {
      // Retention at its own edge, so the longest life of a message never stands in the way.
      const retention = {
        HERALD_RECORD_TTL_SECONDS: '31536000',
        HERALD_IDEMPOTENCY_TTL_SECONDS: '31536000',
      };
      expect(() => loadConfig({ ...retention, [name]: value })).not.toThrow();
    });

    it('lists every problem at once, each naming its variable', () => {
      const problems = problemsOf({
        PORT: 'abc',
        REDIS_URL: 'nonsense',
        HERALD_EMAIL_PROVIDERS: 'sendgrid,pigeon',
      });
      expect(problems).toEqual([
        'PORT: must be a whole number',
        'REDIS_URL: must be a redis or rediss URL',
        'HERALD_EMAIL_PROVIDERS.1: unknown email provider "pigeon"',
      ]);
    });

    it('refuses a provider listed twice', () => {
      expect(problemsOf({ HERALD_EMAIL_PROVIDERS: 'ses,ses' })).toEqual([
        'HERALD_EMAIL_PROVIDERS: lists a provider twice',
      ]);
    });

    it('refuses a simulator host name that is not one', () => {
      expect(problemsOf({ HERALD_SANDBOX_ALLOWED_HOSTS: 'sim,evil/x' })).toEqual([
        'HERALD_SANDBOX_ALLOWED_HOSTS.1: host names only (letters, digits, dots and dashes)',
      ]);
    });

    it('reads the simulator host names', () => {
      const { config } = loadConfig({ HERALD_SANDBOX_ALLOWED_HOSTS: ' Simulator , ,sim.local' });
      expect(config.sandbox.allowedHosts).toEqual(['simulator', 'sim.local']);
    });

    it('refuses a retry cap below its base', () => {
      expect(problemsOf({ HERALD_RETRY_BASE_MS: '1000', HERALD_RETRY_CAP_MS: '999' })).toEqual([
        'HERALD_RETRY_CAP_MS: must be at least HERALD_RETRY_BASE_MS',
      ]);
      expect(() =>
        loadConfig({ HERALD_RETRY_BASE_MS: '1000', HERALD_RETRY_CAP_MS: '1000' }),
      ).not.toThrow();
    });
  });

  describe('the breaker window', () => {
    it('refuses a window a hanging provider could never fill', () => {
      expect(
        problemsOf({
          HERALD_PROVIDER_DEADLINE_MS: '2000',
          HERALD_BREAKER_VOLUME_THRESHOLD: '5',
          HERALD_BREAKER_ROLLING_WINDOW_MS: '10000',
        }),
      ).toEqual([
        'HERALD_BREAKER_ROLLING_WINDOW_MS: must exceed HERALD_BREAKER_VOLUME_THRESHOLD × the longest provider deadline (5 × 2000 ms), or a hanging provider never opens its breaker',
      ]);
    });

    it('accepts a window just longer than volume × deadline', () => {
      expect(() =>
        loadConfig({
          HERALD_PROVIDER_DEADLINE_MS: '2000',
          HERALD_BREAKER_VOLUME_THRESHOLD: '5',
          HERALD_BREAKER_ROLLING_WINDOW_MS: '10001',
        }),
      ).not.toThrow();
    });

    it('counts only configured providers', () => {
      // Mailgun's long deadline would fail the check, but Mailgun has no credentials.
      expect(() =>
        loadConfig({
          ...REAL,
          HERALD_EMAIL_PROVIDERS: 'sendgrid,mailgun',
          HERALD_PROVIDER_DEADLINE_MS: '1000',
          HERALD_BREAKER_ROLLING_WINDOW_MS: '10000',
          HERALD_ROLE: 'api',
        }),
      ).not.toThrow();
      expect(
        problemsOf({
          ...REAL,
          SENDGRID_DEADLINE_MS: '2000',
          HERALD_PROVIDER_DEADLINE_MS: '1000',
          HERALD_BREAKER_ROLLING_WINDOW_MS: '10000',
        }),
      ).toEqual([expect.stringMatching(/^HERALD_BREAKER_ROLLING_WINDOW_MS: .*\(5 × 2000 ms\)/)]);
    });
  });

  describe('the shutdown grace', () => {
    it('must exceed the longest delivery round in a worker', () => {
      expect(problemsOf({ HERALD_SHUTDOWN_GRACE_MS: '15000' })).toEqual([
        'HERALD_SHUTDOWN_GRACE_MS: must exceed the longest delivery round (email: 5000 + 5000 + 5000 = 15000 ms of deadlines), or a stop cuts a round off mid-call',
      ]);
      expect(() => loadConfig({ HERALD_SHUTDOWN_GRACE_MS: '15001' })).not.toThrow();
    });

    it('names the kind whose order takes longest', () => {
      expect(
        problemsOf({
          HERALD_ROLE: 'worker',
          HERALD_SHUTDOWN_GRACE_MS: '30000',
          SLACK_DEADLINE_MS: '40000',
          HERALD_SANDBOX: 'true',
          HERALD_BREAKER_ROLLING_WINDOW_MS: '300000',
        }),
      ).toEqual([expect.stringMatching(/\(chat: 40000 = 40000 ms of deadlines\)/)]);
    });

    it('is not checked in an api-only process, which runs no round', () => {
      expect(() =>
        loadConfig({ HERALD_ROLE: 'api', HERALD_SHUTDOWN_GRACE_MS: '1000' }),
      ).not.toThrow();
    });
  });

  describe('API keys', () => {
    it('requires them outside sandbox mode unless auth is disabled explicitly', () => {
      expect(problemsOf({ SENDGRID_API_KEY: 'SG.x' })).toEqual([
        'HERALD_API_KEYS: required unless HERALD_AUTH=disabled',
      ]);
      const { config, warnings } = loadConfig({
        SENDGRID_API_KEY: 'SG.x',
        HERALD_AUTH: 'disabled',
      });
      expect(config.auth.mode).toBe('disabled');
      expect(config.http.host).toBe('127.0.0.1');
      expect(warnings).toContain(
        'HERALD_AUTH=disabled: the REST API accepts every caller without a key (listening on 127.0.0.1)',
      );
    });

    it('binds every interface by default when keys are required', () => {
      expect(loadConfig(REAL).config.http.host).toBe('0.0.0.0');
    });

    it.each<[string, string]>([
      ['ci', 'HERALD_API_KEYS: entry 1 must be name:key, name:sha256:<64 hex> or name+admin:…'],
      [
        ':0123456789abcdef',
        'HERALD_API_KEYS: entry 1 must be name:key, name:sha256:<64 hex> or name+admin:…',
      ],
      [
        'a:0123456789abcdef,b c:0123456789abcdef',
        'HERALD_API_KEYS: entry 2 must be name:key, name:sha256:<64 hex> or name+admin:…',
      ],
      ['ci:', 'HERALD_API_KEYS: entry 1 must be name:key, name:sha256:<64 hex> or name+admin:…'],
      ['ci:short-secret', 'HERALD_API_KEYS: the key of caller "ci" must be at least 16 characters'],
      ['ci:0123456789abcdef,ci:fedcba9876543210', 'HERALD_API_KEYS: caller "ci" is listed twice'],
    ])('refuses %j', (keys, problem) => {
      const problems = problemsOf({ HERALD_API_KEYS: keys });
      expect(problems).toEqual([problem]);
    });

    it('never echoes an API key back in a problem', () => {
      const problems = problemsOf({ HERALD_API_KEYS: 'ci:short-secret,x y:another-secret-1234' });
      expect(problems.join()).not.toMatch(/short-secret|another-secret/);
    });

    it('keeps only the SHA-256 of a plain key, and the scope', () => {
      const { config } = loadConfig({
        ...REAL,
        HERALD_API_KEYS: ' billing:0123456789abcdef , ops+admin:fedcba9876543210 ',
      });
      expect(config.auth.callers).toEqual([
        {
          name: 'billing',
          admin: false,
          keySha256: createHash('sha256').update('0123456789abcdef').digest(),
        },
        {
          name: 'ops',
          admin: true,
          keySha256: createHash('sha256').update('fedcba9876543210').digest(),
        },
      ]);
    });

    it('accepts hashed API keys of any case', () => {
      const hash = 'a'.repeat(64);
      const { config } = loadConfig({
        HERALD_API_KEYS: `ops:sha256:${hash.toUpperCase()}`,
        SLACK_BOT_TOKEN: 'xoxb-1',
      });
      expect(config.auth.callers[0]?.keySha256.toString('hex')).toBe(hash);
    });

    it('protects /metrics on request, which needs keys', () => {
      expect(loadConfig({ ...REAL, HERALD_METRICS_AUTH: 'api-key' }).config.auth.metrics).toBe(
        'api-key',
      );
      expect(problemsOf({ HERALD_METRICS_AUTH: 'api-key' })).toEqual([
        'HERALD_METRICS_AUTH: api-key needs HERALD_AUTH=api-key',
      ]);
    });
  });

  describe('with real credentials', () => {
    it('leaves unconfigured providers out of the order, with a warning each', () => {
      const { config, warnings } = loadConfig(REAL);
      expect(config.sandbox.enabled).toBe(false);
      expect(config.sandbox.embedded).toBe(false);
      expect(config.order).toEqual({ email: ['sendgrid'], sms: [], chat: [] });
      expect(config.email.defaultFrom).toBeUndefined();
      expect(warnings).toEqual([
        'provider mailgun has no credentials: left out of the email failover order',
        'provider ses has no credentials: left out of the email failover order',
        'provider twilio has no credentials: left out of the sms failover order',
        'no sms provider is configured: sms sends will be refused',
        'provider slack has no credentials: left out of the chat failover order',
        'no chat provider is configured: chat sends will be refused',
      ]);
    });

    it('configures every provider from its variables', () => {
      const { config } = loadConfig({
        HERALD_API_KEYS: KEY,
        HERALD_EMAIL_PROVIDERS: 'ses, mailgun ,sendgrid',
        SENDGRID_API_KEY: 'SG.k',
        SENDGRID_BASE_URL: 'https://api.eu.sendgrid.com',
        SENDGRID_MAX_PER_SECOND: '10',
        MAILGUN_API_KEY: 'mk',
        MAILGUN_DOMAIN: 'mg.example.com',
        MAILGUN_URL: 'https://api.eu.mailgun.net',
        MAILGUN_DEADLINE_MS: '3000',
        SES_ENABLED: '1',
        AWS_REGION: 'eu-west-1',
        TWILIO_ACCOUNT_SID: 'AC1',
        TWILIO_AUTH_TOKEN: 'tt',
        TWILIO_FROM: '+14155550100',
        SLACK_BOT_TOKEN: 'xoxb-1',
      });
      expect(config.order).toEqual({
        email: ['ses', 'mailgun', 'sendgrid'],
        sms: ['twilio'],
        chat: ['slack'],
      });
      expect(config.providers).toMatchObject({
        sendgrid: { apiKey: 'SG.k', baseUrl: 'https://api.eu.sendgrid.com', maxPerSecond: 10 },
        mailgun: { apiKey: 'mk', domain: 'mg.example.com', deadlineMs: 3000 },
        ses: { configured: true, region: 'eu-west-1' },
        twilio: { accountSid: 'AC1', authToken: 'tt', from: '+14155550100' },
        slack: { token: 'xoxb-1' },
      });
      expect(config.providers.ses.credentials).toBeUndefined();
    });

    it('prefers SES_REGION to AWS_REGION and uses explicit AWS keys', () => {
      const { config } = loadConfig({
        HERALD_API_KEYS: KEY,
        AWS_ACCESS_KEY_ID: 'AKIA',
        AWS_SECRET_ACCESS_KEY: 'secret',
        SES_REGION: 'us-east-1',
        AWS_REGION: 'eu-west-1',
      });
      expect(config.providers.ses).toMatchObject({
        configured: true,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIA', secretAccessKey: 'secret' },
      });
    });

    it('reads a secret from <NAME>_FILE, trimmed', () => {
      const { config } = loadConfig({
        SENDGRID_API_KEY_FILE: secretFile('SG.from-file\n'),
        HERALD_API_KEYS_FILE: secretFile(`${KEY}\n`),
      });
      expect(config.providers.sendgrid.apiKey).toBe('SG.from-file');
      expect(config.auth.callers.map((c) => c.name)).toEqual(['billing']);
    });
  });

  describe('event endpoint hosts', () => {
    it('allow none by default outside sandbox mode', () => {
      expect(loadConfig(REAL).config.callerEvents.allowedHosts).toEqual([]);
    });

    it("allow the simulator's host by default in sandbox mode", () => {
      expect(loadConfig({}).config.callerEvents.allowedHosts).toEqual(['127.0.0.1', 'localhost']);
      expect(
        loadConfig({ HERALD_SANDBOX_URL: 'http://simulator:4010' }).config.callerEvents
          .allowedHosts,
      ).toEqual(['simulator']);
    });

    it('take the list as given, lower-cased, wildcards included', () => {
      const { config } = loadConfig({
        ...REAL,
        HERALD_EVENT_ENDPOINT_HOSTS: 'Events.Example.com, *.hooks.example.org',
      });
      expect(config.callerEvents.allowedHosts).toEqual([
        'events.example.com',
        '*.hooks.example.org',
      ]);
    });

    it('refuse a URL where a host name belongs', () => {
      expect(problemsOf({ ...REAL, HERALD_EVENT_ENDPOINT_HOSTS: 'https://x.example.com' })).toEqual(
        ['HERALD_EVENT_ENDPOINT_HOSTS.0: host names such as events.example.com or *.example.com'],
      );
    });
  });

  describe('the event retry schedule', () => {
    it('defaults to the Standard Webhooks schedule, about a day', () => {
      const { retryScheduleMs, deadlineMs } = loadConfig(REAL).config.callerEvents;
      expect(retryScheduleMs).toEqual([
        5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
      ]);
      expect(deadlineMs).toBe(10_000);
    });

    it('names each bad entry', () => {
      expect(problemsOf({ ...REAL, HERALD_EVENT_RETRY_SCHEDULE_MS: '10,soon,0' })).toEqual([
        'HERALD_EVENT_RETRY_SCHEDULE_MS.1: must be a whole number',
        'HERALD_EVENT_RETRY_SCHEDULE_MS.2: must be at least 1',
      ]);
    });
  });

  describe('with a Redis Cluster', () => {
    it('takes seed nodes, TLS, credentials and a NAT map, and leaves one Redis the default', () => {
      expect(loadConfig({}).config.redis).toEqual({ url: 'redis://127.0.0.1:6379' });
      const { config } = loadConfig({
        REDIS_CLUSTER_NODES: 'redis-1:7000, 10.0.0.2:7001,[::1]:7002',
        REDIS_CLUSTER_TLS: 'true',
        REDIS_CLUSTER_USERNAME: 'herald',
        REDIS_CLUSTER_PASSWORD_FILE: secretFile('s3cret\n'),
        REDIS_CLUSTER_NAT_MAP: '172.17.0.2:6379=127.0.0.1:7000',
        HERALD_REDIS_PREFIX: '{herald}',
      });
      expect(config.redis.cluster).toEqual({
        nodes: [
          { host: 'redis-1', port: 7000 },
          { host: '10.0.0.2', port: 7001 },
          { host: '::1', port: 7002 },
        ],
        tls: true,
        username: 'herald',
        password: 's3cret',
        natMap: { '172.17.0.2:6379': { host: '127.0.0.1', port: 7000 } },
      });
      expect(config.queue.prefix).toBe('{herald}');
    });

    it('accepts a prefix holding a hash tag, on one Redis too', () => {
      expect(loadConfig({ HERALD_REDIS_PREFIX: 'app-{herald}' }).config.queue.prefix).toBe(
        'app-{herald}',
      );
    });

    it('refuses a prefix without a hash tag, naming the prefix', () => {
      expect(problemsOf({ REDIS_CLUSTER_NODES: '127.0.0.1:7000' })).toEqual([
        "HERALD_REDIS_PREFIX: on a Redis Cluster must hold a hash tag, e.g. {herald}, so that each script's keys share one slot",
      ]);
    });

    it('refuses REDIS_URL set as well, and nodes or braces that are malformed', () => {
      expect(
        problemsOf({
          REDIS_CLUSTER_NODES: '127.0.0.1:7000,redis-2',
          HERALD_REDIS_PREFIX: '{herald',
        }),
      ).toEqual([
        'REDIS_CLUSTER_NODES.1: must be host:port',
        'HERALD_REDIS_PREFIX: letters, digits, - and _ only, with at most one {hash tag}',
      ]);
      expect(
        problemsOf({
          REDIS_URL: 'redis://127.0.0.1:6379',
          REDIS_CLUSTER_NODES: '127.0.0.1:7000',
          HERALD_REDIS_PREFIX: '{herald}',
        }),
      ).toEqual(['REDIS_URL: set together with REDIS_CLUSTER_NODES; set one of them']);
    });
  });
});
