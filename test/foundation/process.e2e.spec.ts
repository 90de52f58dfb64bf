import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { uniquePrefix } from '../support/herald';
import { spawnHerald } from '../support/herald-process';

const emptyFile = (): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'herald-secret-')), 'sendgrid-key');
  writeFileSync(path, '\n');
  return path;
};

/** Configurations that used to start Herald quietly in the wrong mode, or with a broken timer. */
const BAD_CONFIGURATIONS: [string, Record<string, string>, RegExp][] = [
  [
    'an empty SendGrid key file',
    { SENDGRID_API_KEY_FILE: emptyFile() },
    /^ {2}- SENDGRID_API_KEY_FILE: \/.+ is empty$/m,
  ],
  [
    'MAILGUN_DOMAIN without its key',
    { MAILGUN_DOMAIN: 'mg.example.com' },
    /^ {2}- MAILGUN_API_KEY: required to configure Mailgun \(MAILGUN_DOMAIN is set\)$/m,
  ],
  [
    'an empty secret',
    { SLACK_BOT_TOKEN: '' },
    /^ {2}- SLACK_BOT_TOKEN: is set but empty; unset it or give it a value$/m,
  ],
  [
    'HERALD_SANDBOX=false with nothing configured',
    { HERALD_SANDBOX: 'false' },
    /^ {2}- HERALD_SANDBOX: is false but no provider is configured/m,
  ],
  [
    'HERALD_THROTTLE_COOLDOWN_MS=0',
    { HERALD_THROTTLE_COOLDOWN_MS: '0' },
    /^ {2}- HERALD_THROTTLE_COOLDOWN_MS: must be at least 1$/m,
  ],
  [
    'a shutdown grace shorter than a delivery round',
    { HERALD_SHUTDOWN_GRACE_MS: '5000' },
    /^ {2}- HERALD_SHUTDOWN_GRACE_MS: must exceed the longest delivery round/m,
  ],
];

describe('the Herald process', () => {
  describe('with bad configuration', () => {
    it('prints one message listing every problem and exits 1 without starting anything', async () => {
      const herald = spawnHerald({
        PORT: 'abc',
        REDIS_URL: 'nonsense',
        HERALD_EMAIL_PROVIDERS: 'sendgrid,pigeon',
      });
      const { code } = await herald.exited();
      expect(code).toBe(1);
      const out = herald.output();
      expect(out).toMatch(/^Invalid configuration \(3 problems\):/);
      expect(out).toMatch(/- PORT: /);
      expect(out).toMatch(/- REDIS_URL: /);
      expect(out).toMatch(/- HERALD_EMAIL_PROVIDERS\.1: unknown email provider "pigeon"/);
      expect(out).not.toMatch(/Nest application|listening/);
    });

    it.each(BAD_CONFIGURATIONS)(
      'refuses %s: exit 1, one problem naming the variable, no stack trace',
      async (_, env, problem) => {
        const herald = spawnHerald({ HERALD_API_KEYS: 'ci:0123456789abcdef', ...env });
        const { code } = await herald.exited();
        const out = herald.output();
        expect(code).toBe(1);
        expect(out).toMatch(/^Invalid configuration \(1 problem\):\n/);
        expect(out).toMatch(problem);
        expect(out).not.toMatch(/\bat .+:\d+:\d+\)?$/m);
        expect(out.trim().split('\n')).toHaveLength(2);
      },
    );
  });

  describe('with a .env file', () => {
    it('reads it, the environment winning, and names its Redis in the first line', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'herald-dotenv-'));
      writeFileSync(
        join(dir, '.env'),
        `REDIS_URL=${inject('redisUrl')}\nHERALD_ROLE=worker\nHERALD_REDIS_PREFIX=from-file\n`,
      );
      const prefix = uniquePrefix();
      const herald = spawnHerald(
        {
          PORT: '0',
          HERALD_REDIS_PREFIX: prefix,
          HERALD_SANDBOX: 'true',
          HERALD_SANDBOX_URL: 'http://127.0.0.1:9',
          // The default folder is relative to the working directory, which is not the repo here.
          HERALD_TEMPLATES_DIR: join(__dirname, '..', '..', 'templates'),
        },
        { cwd: dir },
      );
      await herald.waitFor(/listening on/);
      herald.child.kill('SIGTERM');
      expect((await herald.exited()).code).toBe(0);
      const first = JSON.parse(herald.output().split('\n')[0]!) as { msg: string; role: string };
      expect(first.role).toBe('worker');
      expect(first.msg).toBe(
        `Herald (worker) starting: Redis ${inject('redisUrl')}, key prefix "${prefix}"; ` +
          `settings from ${join(dir, '.env')} and the environment`,
      );
    });
  });

  describe('on SIGTERM', () => {
    it('stops taking requests, closes Redis and exits 0', async () => {
      const herald = spawnHerald({
        PORT: '0',
        HOST: '127.0.0.1',
        HERALD_ROLE: 'api',
        REDIS_URL: inject('redisUrl'),
        HERALD_REDIS_PREFIX: uniquePrefix(),
        HERALD_SANDBOX: 'true',
      });
      await herald.waitFor(/listening on/);
      herald.child.kill('SIGTERM');
      const { code } = await herald.exited();
      expect(code).toBe(0);
      expect(herald.output()).toMatch(/SIGTERM received: draining/);
      expect(herald.output()).toMatch(/stopped cleanly/);
    });

    it.each(['SIGTERM', 'SIGINT'] as const)(
      'through npm start: %s to npm stops Herald too',
      async (signal) => {
        const herald = spawnHerald(
          {
            PORT: '0',
            HOST: '127.0.0.1',
            HERALD_ROLE: 'api',
            REDIS_URL: inject('redisUrl'),
            HERALD_REDIS_PREFIX: uniquePrefix(),
            HERALD_SANDBOX: 'true',
          },
          { npmStart: true },
        );
        await herald.waitFor(/listening on/);
        const pid = (JSON.parse(herald.output().split('\n')[0]!) as { pid: number }).pid;
        expect(pid).not.toBe(herald.child.pid);
        herald.child.kill(signal);
        expect((await herald.exited()).code).toBe(0);
        expect(herald.output()).toMatch(/stopped cleanly/);
        expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
      },
    );
  });
});
