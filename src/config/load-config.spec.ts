import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config-error';
import { loadConfig } from './load-config';

const problemsOf = (env: Record<string, string>): readonly string[] => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
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
      expect(config.providers.slack.apiUrl).toBe('http://127.0.0.1:4010/api/');
      expect(config.auth.mode).toBe('disabled');
      expect(warnings[0]).toMatch(/SANDBOX MODE/);
    });

    it('uses the documented defaults', () => {
      const { config } = loadConfig({});
      expect(config.http.port).toBe(3000);
      expect(config.redis.url).toBe('redis://127.0.0.1:6379');
      expect(config.idempotency.ttlSeconds).toBe(86_400);
      expect(config.records.ttlSeconds).toBe(604_800);
      expect(config.providers.sendgrid.deadlineMs).toBe(5_000);
    });
  });

  describe('with bad values', () => {
    it('lists every problem at once, each naming its variable', () => {
      const problems = problemsOf({
        PORT: 'abc',
        REDIS_URL: 'nonsense',
        HERALD_EMAIL_PROVIDERS: 'sendgrid,pigeon',
      });
      expect(problems).toHaveLength(3);
      expect(problems.join('\n')).toMatch(/^PORT: /m);
      expect(problems.join('\n')).toMatch(/^REDIS_URL: /m);
      expect(problems.join('\n')).toMatch(
        /^HERALD_EMAIL_PROVIDERS\.1: unknown email provider "pigeon"/m,
      );
    });

    it('refuses a breaker window a hanging provider could never fill', () => {
      const problems = problemsOf({
        HERALD_PROVIDER_DEADLINE_MS: '2000',
        HERALD_BREAKER_VOLUME_THRESHOLD: '5',
        HERALD_BREAKER_ROLLING_WINDOW_MS: '10000',
      });
      expect(problems).toEqual([
        expect.stringMatching(/^HERALD_BREAKER_ROLLING_WINDOW_MS: must exceed/),
      ]);
    });

    it('refuses half a provider configuration, naming what is missing', () => {
      const problems = problemsOf({ MAILGUN_API_KEY: 'k', HERALD_AUTH: 'disabled' });
      expect(problems).toEqual(['MAILGUN_DOMAIN: required to configure Mailgun']);
    });

    it('requires API keys outside sandbox mode unless auth is disabled explicitly', () => {
      expect(problemsOf({ SENDGRID_API_KEY: 'SG.x' })).toEqual([
        'HERALD_API_KEYS: required unless HERALD_AUTH=disabled',
      ]);
    });

    it('never echoes an API key back in a problem', () => {
      const problems = problemsOf({ HERALD_API_KEYS: 'ci:short-secret' });
      expect(problems.join()).not.toContain('short-secret');
    });
  });

  describe('with real credentials', () => {
    it('leaves unconfigured providers out of the order, with a warning each', () => {
      const { config, warnings } = loadConfig({
        SENDGRID_API_KEY: 'SG.key',
        HERALD_API_KEYS: 'billing:0123456789abcdef0123',
      });
      expect(config.sandbox.enabled).toBe(false);
      expect(config.order.email).toEqual(['sendgrid']);
      expect(config.order.sms).toEqual([]);
      expect(warnings).toContain(
        'provider mailgun has no credentials: left out of the email failover order',
      );
    });

    it('reads a secret from <NAME>_FILE', () => {
      const dir = mkdtempSync(join(tmpdir(), 'herald-'));
      writeFileSync(join(dir, 'key'), 'SG.from-file\n');
      const { config } = loadConfig({
        SENDGRID_API_KEY_FILE: join(dir, 'key'),
        HERALD_AUTH: 'disabled',
      });
      expect(config.providers.sendgrid.apiKey).toBe('SG.from-file');
    });

    it('accepts hashed API keys', () => {
      const hash = 'a'.repeat(64);
      const { config } = loadConfig({
        HERALD_API_KEYS: `ops:sha256:${hash}`,
        SLACK_BOT_TOKEN: 'xoxb-1',
      });
      expect(config.auth.callers[0]?.keySha256.toString('hex')).toBe(hash);
    });
  });
});
