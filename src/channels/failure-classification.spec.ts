import {
  classOfHttpStatus,
  httpDetail,
  safeDetail,
  transportFailure,
  transportFailureOf,
} from './failure-classification';

const live = () => new AbortController().signal;

describe('failure classification', () => {
  describe(classOfHttpStatus.name, () => {
    it.each([
      [400, 'rejected'],
      [413, 'rejected'],
      [422, 'rejected'],
      [401, 'misconfigured'],
      [403, 'misconfigured'],
      [404, 'misconfigured'],
      [408, 'unavailable'],
      [429, 'throttled'],
      [500, 'unavailable'],
      [503, 'unavailable'],
    ])('treats HTTP %i as %s', (status, expected) => {
      expect(classOfHttpStatus(status)).toBe(expected);
    });
  });

  describe(transportFailure.name, () => {
    it('calls any failure after our signal fired an ambiguous timeout', () => {
      const error = transportFailure({ code: 'ECONNRESET' }, AbortSignal.abort());

      expect(error).toMatchObject({ errorClass: 'timeout', ambiguous: true });
    });

    it.each([
      ['ERR_CANCELED', 'timeout', true],
      ['ECONNABORTED', 'timeout', true],
      ['ETIMEDOUT', 'timeout', true],
      ['ECONNRESET', 'unavailable', true],
      ['ECONNREFUSED', 'unavailable', false],
      ['ENOTFOUND', 'unavailable', false],
      ['EWHATEVER', 'unavailable', false],
    ])('treats %s as %s (ambiguous: %s)', (code, errorClass, ambiguous) => {
      expect(transportFailure({ code }, live())).toMatchObject({
        errorClass,
        ambiguous,
        providerCode: code,
      });
    });

    it('lets a reset code win over the AWS SDK calling it a TimeoutError', () => {
      const err = Object.assign(new Error('socket hang up'), {
        name: 'TimeoutError',
        code: 'ECONNRESET',
      });

      expect(transportFailureOf(err, live())).toMatchObject({ errorClass: 'unavailable' });
    });

    it('finds the code undici hides under cause', () => {
      const err = new TypeError('fetch failed', {
        cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
      });

      expect(transportFailureOf(err, live())).toMatchObject({
        errorClass: 'unavailable',
        providerCode: 'ECONNREFUSED',
      });
    });

    it('calls an unknown error unavailable without repeating its message', () => {
      const error = transportFailureOf(new Error('to ada@example.com: secret body'), live());

      expect(error.errorClass).toBe('unavailable');
      expect(error.detail).not.toContain('ada@example.com');
      expect(error.detail).not.toContain('secret body');
    });
  });

  describe(safeDetail.name, () => {
    it('masks e-mail addresses and phone numbers', () => {
      expect(
        safeDetail('The following identities failed: ada.lovelace@example.com, +14155550100'),
      ).toBe('The following identities failed: a***@example.com, ***00');
    });

    it('removes anything shaped like a credential', () => {
      const said = safeDetail(
        'key SG.abc.def token xoxb-123-456 Authorization: Bearer abc.def AKIAABCDEFGHIJKLMNOP',
      );

      for (const secret of ['SG.abc', 'xoxb-123', 'abc.def', 'AKIAABCDEFGHIJKLMNOP']) {
        expect(said).not.toContain(secret);
      }
    });

    it('caps the length and collapses whitespace', () => {
      const said = safeDetail(`a\n\n  b ${'x'.repeat(500)}`, 40);

      expect(said).toHaveLength(40);
      expect(said.startsWith('a b x')).toBe(true);
    });
  });

  describe(httpDetail.name, () => {
    it('names the status and the provider’s words', () => {
      expect(httpDetail(400, 'Does not contain a valid address.')).toBe(
        'HTTP 400: Does not contain a valid address.',
      );
      expect(httpDetail(503)).toBe('HTTP 503');
    });
  });
});
