import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRedisUrl, readEnvironment } from './read-environment';

describe(readEnvironment.name, () => {
  it('reads .env when present, the process environment winning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-env-'));
    writeFileSync(join(dir, '.env'), '# comment\nREDIS_URL=redis://127.0.0.1:6390\nPORT=4000\n');
    const { env, envFile } = readEnvironment(dir, { PORT: '5000' });
    expect(envFile).toBe(join(dir, '.env'));
    expect(env).toEqual({ REDIS_URL: 'redis://127.0.0.1:6390', PORT: '5000' });
  });

  it('is the process environment alone without .env', () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-env-'));
    expect(readEnvironment(dir, { PORT: '1' })).toEqual({ env: { PORT: '1' } });
  });
});

describe(describeRedisUrl.name, () => {
  it.each([
    ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
    ['redis://:hunter2@cache:6380/2', 'redis://:***@cache:6380/2'],
    ['rediss://app:hunter2@cache:6380', 'rediss://***:***@cache:6380'],
  ])('shows %s as %s', (url, shown) => {
    expect(describeRedisUrl(url)).toBe(shown);
  });
});
