import { ChannelError } from './channel-error';
import {
  TRANSPORT_CODES,
  abortedBeforeSend,
  classOfHttpStatus,
  errorCode,
  httpDetail,
  safeDetail,
  transportFailure,
  transportFailureOf,
} from './failure-classification';

const live = () => new AbortController().signal;

/** What the delivery engine reads from a ChannelError, and what the record keeps. */
const seen = (e: ChannelError) => ({
  errorClass: e.errorClass,
  ambiguous: e.ambiguous,
  detail: e.detail,
  providerCode: e.providerCode,
});

/** An error whose cause chain is `errors`, outermost first. */
function chain(...errors: object[]): object {
  return errors.reduceRight<object | undefined>(
    (cause, e) => (cause === undefined ? e : Object.assign(e, { cause })),
    undefined,
  )!;
}

describe('failure classification', () => {
  describe(classOfHttpStatus.name, () => {
    it.each([
      [400, 'rejected'],
      [402, 'rejected'],
      [407, 'rejected'],
      [409, 'rejected'],
      [413, 'rejected'],
      [422, 'rejected'],
      [428, 'rejected'],
      [430, 'rejected'],
      [499, 'rejected'],
      [401, 'misconfigured'],
      [403, 'misconfigured'],
      [404, 'misconfigured'],
      [408, 'unavailable'],
      [429, 'throttled'],
      [500, 'unavailable'],
      [503, 'unavailable'],
      [599, 'unavailable'],
    ])('treats HTTP %i as %s', (status, expected) => {
      expect(classOfHttpStatus(status)).toBe(expected);
    });
  });

  describe('TRANSPORT_CODES', () => {
    it('holds exactly the codes transportFailure classifies', () => {
      expect([...TRANSPORT_CODES].sort()).toEqual(
        [
          'ECONNABORTED',
          'ETIMEDOUT',
          'ESOCKETTIMEDOUT',
          'UND_ERR_HEADERS_TIMEOUT',
          'UND_ERR_BODY_TIMEOUT',
          'UND_ERR_CONNECT_TIMEOUT',
          'ERR_CANCELED',
          'ABORT_ERR',
          'ECONNRESET',
          'EPIPE',
          'UND_ERR_SOCKET',
          'ECONNREFUSED',
          'ENOTFOUND',
          'EAI_AGAIN',
          'EHOSTUNREACH',
          'ENETUNREACH',
          'EHOSTDOWN',
          'ENETDOWN',
          'ERR_NETWORK',
        ].sort(),
      );
    });
  });

  describe(transportFailure.name, () => {
    const aborted = 'no answer before the deadline; the request was aborted';
    type Row = readonly [code: string, errorClass: string, ambiguous: boolean, detail: string];

    it.each<Row>([
      // The SDK's own clock ran out: the request may have been processed.
      ...[
        'ECONNABORTED',
        'ETIMEDOUT',
        'ESOCKETTIMEDOUT',
        'UND_ERR_HEADERS_TIMEOUT',
        'UND_ERR_BODY_TIMEOUT',
        'UND_ERR_CONNECT_TIMEOUT',
      ].map((code) => [code, 'timeout', true, `no answer in time (${code})`] as const),
      // Our signal aborted it.
      ...['ERR_CANCELED', 'ABORT_ERR'].map((code) => [code, 'timeout', true, aborted] as const),
      // The connection broke after the request was written.
      ...['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET'].map(
        (code) =>
          [code, 'unavailable', true, `connection reset before an answer (${code})`] as const,
      ),
      // Nothing reached the provider.
      ...[
        'ECONNREFUSED',
        'ENOTFOUND',
        'EAI_AGAIN',
        'EHOSTUNREACH',
        'ENETUNREACH',
        'EHOSTDOWN',
        'ENETDOWN',
        'ERR_NETWORK',
      ].map((code) => [code, 'unavailable', false, `provider unreachable (${code})`] as const),
      ['EWHATEVER', 'unavailable', false, 'unexpected failure (EWHATEVER)'],
    ] satisfies Row[])(
      'treats %s as %s (ambiguous: %s): %s',
      (code, errorClass, ambiguous, detail) => {
        expect(seen(transportFailure({ code }, live()))).toEqual({
          errorClass,
          ambiguous,
          detail,
          providerCode: code,
        });
      },
    );

    it.each(['ECONNRESET', 'ECONNREFUSED', 'EWHATEVER'])(
      'calls %s after our signal fired an ambiguous timeout',
      (code) => {
        expect(seen(transportFailure({ code }, AbortSignal.abort()))).toEqual({
          errorClass: 'timeout',
          ambiguous: true,
          detail: aborted,
          providerCode: code,
        });
      },
    );

    it('calls a failure with neither code nor name after our signal fired a timeout', () => {
      expect(seen(transportFailure({}, AbortSignal.abort()))).toEqual({
        errorClass: 'timeout',
        ambiguous: true,
        detail: aborted,
        providerCode: undefined,
      });
    });

    it.each(['AbortError', 'CanceledError', 'TimeoutError'])(
      'treats an error named %s, without a code, as an ambiguous timeout',
      (name) => {
        expect(seen(transportFailure({ name }, live()))).toEqual({
          errorClass: 'timeout',
          ambiguous: true,
          detail: `no answer in time (${name})`,
          providerCode: undefined,
        });
      },
    );

    it.each<[{ code?: string; name?: string }, string]>([
      [{ name: 'TypeError' }, 'unexpected failure (TypeError)'],
      [{ code: 'EODD', name: 'TypeError' }, 'unexpected failure (EODD)'],
      [{}, 'unexpected failure (unknown error)'],
      [{ code: 'E'.repeat(80) }, `unexpected failure (${'E'.repeat(59)}…)`],
    ])('calls an unknown failure %j unavailable, not ambiguous', (failure, detail) => {
      expect(seen(transportFailure(failure, live()))).toEqual({
        errorClass: 'unavailable',
        ambiguous: false,
        detail,
        providerCode: failure.code,
      });
    });

    it('lets the code win over the name', () => {
      expect(
        seen(transportFailure({ code: 'ECONNREFUSED', name: 'AbortError' }, live())),
      ).toMatchObject({ errorClass: 'unavailable', ambiguous: false });
    });

    it('keeps the cause, off the enumerable properties', () => {
      const cause = new Error('socket hang up');

      const error = transportFailure({ code: 'ECONNRESET', cause }, live());

      expect(error.cause).toBe(cause);
      expect(Object.keys(error)).not.toContain('cause');
    });
  });

  describe(transportFailureOf.name, () => {
    it('lets a reset code win over the AWS SDK calling it a TimeoutError', () => {
      const err = Object.assign(new Error('socket hang up'), {
        name: 'TimeoutError',
        code: 'ECONNRESET',
      });

      expect(seen(transportFailureOf(err, live()))).toEqual({
        errorClass: 'unavailable',
        ambiguous: true,
        detail: 'connection reset before an answer (ECONNRESET)',
        providerCode: 'ECONNRESET',
      });
    });

    it('finds the code undici hides under cause', () => {
      const err = new TypeError('fetch failed', {
        cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
      });

      expect(seen(transportFailureOf(err, live()))).toEqual({
        errorClass: 'unavailable',
        ambiguous: false,
        detail: 'provider unreachable (ECONNREFUSED)',
        providerCode: 'ECONNREFUSED',
      });
      expect(transportFailureOf(err, live()).cause).toBe(err);
    });

    it('finds an abort named along the cause chain, past other names', () => {
      const err = chain(new TypeError('fetch failed'), { name: 'Error' }, { name: 'AbortError' });

      expect(seen(transportFailureOf(err, live()))).toEqual({
        errorClass: 'timeout',
        ambiguous: true,
        detail: 'no answer in time (AbortError)',
        providerCode: undefined,
      });
    });

    it('looks four errors deep for an abort, no deeper', () => {
      const deep = (n: number) =>
        chain({ name: 'Outer' }, ...Array.from({ length: n - 1 }, () => ({})), {
          name: 'AbortError',
        });

      expect(transportFailureOf(deep(3), live()).detail).toBe('no answer in time (AbortError)');
      expect(transportFailureOf(deep(4), live()).detail).toBe('unexpected failure (Outer)');
    });

    it('skips an error without a name and names the next one', () => {
      const err = chain({ message: 'no name' }, { name: 'SocketError' });

      expect(transportFailureOf(err, live()).detail).toBe('unexpected failure (SocketError)');
    });

    it('reads names and codes of objects only, not of a thrown function', () => {
      const thrown = Object.assign(function AbortError() {}, { code: 'ECONNREFUSED' });

      expect(seen(transportFailureOf(thrown, live()))).toEqual({
        errorClass: 'unavailable',
        ambiguous: false,
        detail: 'unexpected failure (unknown error)',
        providerCode: undefined,
      });
    });

    it('names the outermost error when none is an abort', () => {
      const err = chain({ name: 'FetchError' }, { name: 'SocketError' });

      expect(transportFailureOf(err, live()).detail).toBe('unexpected failure (FetchError)');
    });

    it('calls an unknown error unavailable without repeating its message', () => {
      const error = transportFailureOf(new Error('to ada@example.com: secret body'), live());

      expect(seen(error)).toEqual({
        errorClass: 'unavailable',
        ambiguous: false,
        detail: 'unexpected failure (Error)',
        providerCode: undefined,
      });
    });

    it.each([undefined, null, 'a string', 42])(
      'classifies a thrown %j as unavailable',
      (thrown) => {
        expect(seen(transportFailureOf(thrown, live()))).toEqual({
          errorClass: 'unavailable',
          ambiguous: false,
          detail: 'unexpected failure (unknown error)',
          providerCode: undefined,
        });
      },
    );
  });

  describe(errorCode.name, () => {
    it('reads a string code on the error itself', () => {
      expect(errorCode({ code: 'ECONNRESET', cause: { code: 'EPIPE' } })).toBe('ECONNRESET');
    });

    it('skips codes that are not strings (SendGrid puts the HTTP status there)', () => {
      expect(errorCode({ code: 503, cause: { code: 'ECONNRESET' } })).toBe('ECONNRESET');
    });

    it('looks four errors deep, no deeper', () => {
      const deep = (n: number) =>
        chain(...Array.from({ length: n }, () => ({})), { code: 'ECONNREFUSED' });

      expect(errorCode(deep(3))).toBe('ECONNREFUSED');
      expect(errorCode(deep(4))).toBeUndefined();
    });

    it.each([undefined, null, 'ECONNRESET', 7])('finds nothing in %j', (value) => {
      expect(errorCode(value)).toBeUndefined();
    });
  });

  describe(abortedBeforeSend.name, () => {
    it('is an unambiguous timeout: nothing was sent', () => {
      const error = abortedBeforeSend();

      expect(error).toBeInstanceOf(ChannelError);
      expect(seen(error)).toEqual({
        errorClass: 'timeout',
        ambiguous: false,
        detail: 'the deadline passed before the request was sent',
        providerCode: undefined,
      });
    });
  });

  describe(safeDetail.name, () => {
    it.each([
      // E-mail addresses keep their first character and their domain.
      ['ada.lovelace@example.com', 'a***@example.com'],
      ['a@b.co', 'a***@b.co'],
      ['x.y%z+tag-1_2@mail-1.example.co.uk', 'x***@mail-1.example.co.uk'],
      ['to <Ada@Example.COM>.', 'to <A***@Example.COM>.'],
      ['user@localhost', 'user@localhost'],
      // Phone numbers keep their last two digits.
      ['+14155550100', '***00'],
      ['+123456', '***56'],
      ['+12345', '+12345'],
      ['+123456789012345', '***45'],
      ['4155550100', '***00'],
      ['415555010', '415555010'],
      ['call 441632960961 now', 'call ***61 now'],
      ['order 1234567', 'order 1234567'],
      // Credentials go entirely.
      ['key SG.abc-d_e.f9', 'key [redacted]'],
      ['token xoxb-123-abc_d', 'token [redacted]'],
      ['token xoxp-1', 'token [redacted]'],
      ['key-0123abcd', '[redacted]'],
      ['key-0123abc', 'key-0123abc'],
      ['AKIAABCDEFGHIJ23', '[redacted]'],
      ['AKIAABCDEFGHIJ2', 'AKIAABCDEFGHIJ2'],
      ['Authorization: Bearer abc.def', 'Authorization: Bearer [redacted]'],
      ['bearer  abc', 'bearer [redacted]'],
      ['Basic YXBpOmtleQ==', 'Basic [redacted]'],
      ['AWS4-HMAC-SHA256 Credential=AKIA/x', 'AWS4-HMAC-SHA256 [redacted]'],
      // Whitespace collapses; the ends are trimmed.
      ['  a\n\n\tb  ', 'a b'],
    ])('makes %j safe: %j', (text, expected) => {
      expect(safeDetail(text)).toBe(expected);
    });

    it('masks every address and number, not only the first', () => {
      expect(
        safeDetail('The following identities failed: ada.lovelace@example.com, +14155550100'),
      ).toBe('The following identities failed: a***@example.com, ***00');
      expect(safeDetail('a@x.io b@y.io +4915112345678 +4915187654321')).toBe(
        'a***@x.io b***@y.io ***78 ***21',
      );
    });

    it.each<[unknown, string]>([
      [undefined, ''],
      [null, ''],
      [404, '404'],
      [false, 'false'],
    ])('turns %j into %j', (value, expected) => {
      expect(safeDetail(value)).toBe(expected);
    });

    it('keeps a text of exactly the cap, and cuts a longer one to the cap with an ellipsis', () => {
      expect(safeDetail('x'.repeat(40), 40)).toBe('x'.repeat(40));
      expect(safeDetail('x'.repeat(41), 40)).toBe(`${'x'.repeat(39)}…`);
    });

    it('caps at 160 characters by default, after collapsing whitespace', () => {
      expect(safeDetail('y'.repeat(160))).toBe('y'.repeat(160));
      expect(safeDetail(`a\n\n  b ${'x'.repeat(500)}`)).toBe(`a b ${'x'.repeat(155)}…`);
    });
  });

  describe(httpDetail.name, () => {
    it.each<[number | undefined, unknown, string]>([
      [400, 'Does not contain a valid address.', 'HTTP 400: Does not contain a valid address.'],
      [503, undefined, 'HTTP 503'],
      [503, '   ', 'HTTP 503'],
      [undefined, 'socket closed', 'provider error: socket closed'],
      [undefined, undefined, 'provider error'],
      [400, 'bad To +14155550100', 'HTTP 400: bad To ***00'],
    ])('describes %s with %j as %j', (status, words, expected) => {
      expect(httpDetail(status, words)).toBe(expected);
    });
  });
});
