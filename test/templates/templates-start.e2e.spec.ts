import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { spawnHerald } from '../support/herald-process';
import { uniquePrefix } from '../support/herald';

describe('the Herald process', () => {
  describe('with a template that does not parse', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'herald-templates-'));
      cpSync(join(__dirname, '..', '..', 'templates'), dir, { recursive: true });
      writeFileSync(
        join(dir, 'password-reset', 'fr', 'email.text.liquid'),
        'Bonjour {{ user.name }},\n\n{% if code %}Code : {{ code }}\n',
      );
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('stops the start with one message naming the file and line, and exits 1', async () => {
      const herald = spawnHerald({
        PORT: '0',
        HOST: '127.0.0.1',
        REDIS_URL: inject('redisUrl'),
        HERALD_REDIS_PREFIX: uniquePrefix(),
        HERALD_SANDBOX_URL: 'http://127.0.0.1:9',
        HERALD_TEMPLATES_DIR: dir,
      });
      const { code } = await herald.exited();
      expect(code).toBe(1);
      const out = herald.output();
      expect(out).toMatch(/^Invalid templates in .* \(1 problem\):\n/m);
      expect(out).toContain(
        `- ${join(dir, 'password-reset', 'fr', 'email.text.liquid')}:3: tag {% if code %} not closed`,
      );
      expect(out).not.toMatch(/^\s+at /m);
      expect(out).not.toMatch(/\[Nest\]|listening/);
    });
  });
});
