import { inject } from 'vitest';
import { uniquePrefix } from '../support/herald';
import { spawnHerald } from '../support/herald-process';

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
  });
});
