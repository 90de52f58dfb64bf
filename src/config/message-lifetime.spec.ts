import { loadConfig } from './load-config';
import { ConfigError } from './config-error';

const SANDBOX = { HERALD_SANDBOX: 'true' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...SANDBOX, ...env });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems as string[];
    throw err;
  }
  return [];
}

describe('the start-up retention check', () => {
  it('accepts the defaults: a week of records and a day of keys outlive about three hours of retries', () => {
    expect(problemsOf({})).toEqual([]);
  });

  describe('when records and keys are kept for 60 s while a message may live for hours', () => {
    it('stops, naming both settings and the ones that make a message live long', () => {
      const problems = problemsOf({
        HERALD_RECORD_TTL_SECONDS: '60',
        HERALD_IDEMPOTENCY_TTL_SECONDS: '60',
      });
      expect(problems).toHaveLength(2);
      expect(problems[0]).toMatch(
        /^HERALD_RECORD_TTL_SECONDS: must exceed the longest life of a message \(\d+ s: HERALD_RETRY_ATTEMPTS/,
      );
      expect(problems[1]).toMatch(/^HERALD_IDEMPOTENCY_TTL_SECONDS: must exceed/);
      expect(problems[0]).toMatch(/HERALD_RETRY_CAP_MS/);
    });
  });

  it('accepts 60 s when the whole retry schedule is shorter', () => {
    expect(
      problemsOf({
        HERALD_RECORD_TTL_SECONDS: '60',
        HERALD_IDEMPOTENCY_TTL_SECONDS: '60',
        HERALD_RETRY_ATTEMPTS: '2',
        HERALD_RETRY_CAP_MS: '1000',
        HERALD_RETRY_BASE_MS: '100',
        HERALD_PROVIDER_DEADLINE_MS: '1000',
        HERALD_JOB_LOCK_MS: '2000',
      }),
    ).toEqual([]);
  });
});
