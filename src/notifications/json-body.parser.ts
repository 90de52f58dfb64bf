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
 * Parsing itself stays Fastify's (secure-json-parse: `__proto__` and `constructor.prototype`
 * keys are refused).
 */
export function useJsonBodyParser(app: NestFastifyApplication, bodyLimit: number): void {
  const instance = app.getHttpAdapter().getInstance();
  const parse = instance.getDefaultJsonParser('error', 'error');
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
  if (!first) {
    // Valid syntax refused by secure-json-parse: a prototype-poisoning key.
    return new HeraldError(
      'malformed_json',
      'The body uses a forbidden key (__proto__ or constructor.prototype).',
    );
  }
  const before = text.slice(0, first.offset);
  const line = before.split('\n').length;
  const column = first.offset - before.lastIndexOf('\n');
  return new HeraldError(
    'malformed_json',
    `The body is not valid JSON: ${PROBLEMS[printParseErrorCode(first.error)]} at line ${line}, column ${column} (character ${first.offset + 1}).`,
  );
}
