import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type ParseError, parse as scanJson, printParseErrorCode } from 'jsonc-parser';
import { HeraldError } from '../errors/herald-error';

/** What each of jsonc-parser's error codes means to someone who wrote the body. */
const PROBLEMS: Record<ReturnType<typeof printParseErrorCode>, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'malformed number',
  PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: "expected ':'",
  CommaExpected: "expected ',' or a closing bracket",
  CloseBraceExpected: "expected '}'",
  CloseBracketExpected: "expected ']'",
  EndOfFileExpected: 'unexpected content after the JSON value',
  InvalidCommentToken: 'comments are not JSON',
  UnexpectedEndOfComment: 'comments are not JSON',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'malformed number',
  InvalidUnicode: 'invalid \\u escape',
  InvalidEscapeCharacter: 'invalid escape sequence',
  InvalidCharacter: 'control character inside a string',
  '<unknown ParseErrorCode>': 'invalid JSON',
};

/**
 * Replaces the JSON body parser so a malformed body is answered with `malformed_json` naming
 * where it breaks (line, column). Fastify's own parser says only "Body is not valid JSON", and
 * Nest turns its error into a plain 400 before any filter can tell it apart from other 400s.
 * Parsing itself stays Fastify's, with `__proto__` and `constructor` keys kept as the plain own
 * properties `JSON.parse` makes of them: that cannot touch a prototype, the body is valid JSON,
 * and the message schema then refuses such a key by name (an unknown field, a bad metadata key)
 * instead of calling the JSON malformed.
 */
export function useJsonBodyParser(app: NestFastifyApplication, bodyLimit: number): void {
  const instance = app.getHttpAdapter().getInstance();
  const parse = instance.getDefaultJsonParser('ignore', 'ignore');
  app.useBodyParser('application/json', { bodyLimit }, (request, body, done) => {
    const text = body.toString('utf8');
    // Fastify types the default parser for its default server; this app's request is the same.
    parse(request as Parameters<typeof parse>[0], text, (err, value) => {
      if (err) done(malformedJson(text), undefined);
      else done(null, value);
    });
  });
}

/** A `malformed_json` error naming the first place `text` stops being JSON. */
export function malformedJson(text: string): HeraldError {
  if (text.trim().length === 0) {
    return new HeraldError('malformed_json', 'The body is empty; send a JSON object.');
  }
  const errors: ParseError[] = [];
  scanJson(text, errors, { disallowComments: true, allowTrailingComma: false });
  const first = errors[0];
  // JSON.parse refused what jsonc-parser's scanner let through; say so without a place.
  if (!first) return new HeraldError('malformed_json', 'The body is not valid JSON.');
  const before = text.slice(0, first.offset);
  const line = before.split('\n').length;
  const column = first.offset - before.lastIndexOf('\n');
  return new HeraldError(
    'malformed_json',
    `The body is not valid JSON: ${PROBLEMS[printParseErrorCode(first.error)]} at line ${line}, column ${column} (character ${first.offset + 1}).`,
  );
}
