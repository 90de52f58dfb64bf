import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ProblemFilter } from '../errors/problem.filter';
import { malformedJson, useJsonBodyParser } from './json-body.parser';

describe(malformedJson.name, () => {
  it.each([
    ['{"a":+1}', 'unexpected character at line 1, column 6 (character 6)'],
    ['{"a":1.}', 'malformed number at line 1, column 6 (character 6)'],
    ['{"a":1,}', 'expected a property name in double quotes at line 1, column 8 (character 8)'],
    ['[1,]', 'expected a value at line 1, column 4 (character 4)'],
    ['{"a" 1}', "expected ':' at line 1, column 6 (character 6)"],
    ['{"a":1 "b":2}', "expected ',' or a closing bracket at line 1, column 8 (character 8)"],
    ['{"a":1', "expected '}' at line 1, column 7 (character 7)"],
    ['[1', "expected ']' at line 1, column 3 (character 3)"],
    [
      '{"a":1} {"b":2}',
      'unexpected content after the JSON value at line 1, column 9 (character 9)',
    ],
    ['{} /* note */', 'comments are not JSON at line 1, column 4 (character 4)'],
    ['{"a":"x', 'unterminated string at line 1, column 6 (character 6)'],
    ['{"a":"\\u12"}', 'invalid \\u escape at line 1, column 6 (character 6)'],
    ['{"a":"\\x"}', 'invalid escape sequence at line 1, column 6 (character 6)'],
    ['{"a":"x\ty"}', 'control character inside a string at line 1, column 6 (character 6)'],
    ['{\n  "to": +1415\n}', 'unexpected character at line 2, column 9 (character 11)'],
    [
      '{\n\n  "a": 1,\n}',
      'expected a property name in double quotes at line 4, column 1 (character 14)',
    ],
    ['  {"a":1,}', 'expected a property name in double quotes at line 1, column 10 (character 10)'],
  ])('names where %j breaks, exactly', (text, where) => {
    const err = malformedJson(text);
    expect({ code: err.code, message: err.message, errors: err.extra.errors }).toEqual({
      code: 'malformed_json',
      message: `The body is not valid JSON: ${where}.`,
      errors: undefined,
    });
  });

  it.each([[''], ['  \n\t']])('says the body %j is empty', (text) => {
    const err = malformedJson(text);
    expect({ code: err.code, message: err.message }).toEqual({
      code: 'malformed_json',
      message: 'The body is empty; send a JSON object.',
    });
  });

  it('says only that it is not JSON when the scanner finds nothing wrong', () => {
    const err = malformedJson('{"a":1}');
    expect({ code: err.code, message: err.message }).toEqual({
      code: 'malformed_json',
      message: 'The body is not valid JSON.',
    });
  });
});

@Controller('echo')
class EchoController {
  @Post()
  @HttpCode(200)
  echo(@Body() body: Record<string, unknown>) {
    return {
      keys: Object.keys(body),
      plainPrototype: Object.getPrototypeOf(body) === Object.prototype,
      body,
    };
  }
}

@Module({ controllers: [EchoController] })
class EchoModule {}

describe(useJsonBodyParser.name, () => {
  const LIMIT = 64;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(EchoModule, new FastifyAdapter(), {
      logger: false,
    });
    useJsonBodyParser(app, LIMIT);
    app.useGlobalFilters(new ProblemFilter());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());

  const post = async (payload: string) => {
    const res = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload,
    });
    return { status: res.statusCode, type: res.headers['content-type'], body: res.json() };
  };

  it('parses a JSON body', async () => {
    expect(await post('{"a":"é"}')).toMatchObject({
      status: 200,
      body: { keys: ['a'], plainPrototype: true, body: { a: 'é' } },
    });
  });

  it('keeps __proto__ and constructor keys as plain own properties', async () => {
    const answer = await post('{"__proto__":{"x":1},"constructor":{"prototype":{"y":2}}}');
    expect(answer).toMatchObject({
      status: 200,
      body: { keys: ['__proto__', 'constructor'], plainPrototype: true },
    });
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('answers a malformed body with malformed_json naming where it breaks', async () => {
    const answer = await post('{"a":1,}');
    expect(answer).toEqual({
      status: 400,
      type: 'application/problem+json; charset=utf-8',
      body: {
        type: 'urn:herald:error:malformed_json',
        title: 'The body is not valid JSON',
        status: 400,
        code: 'malformed_json',
        detail:
          'The body is not valid JSON: expected a property name in double quotes at line 1, column 8 (character 8).',
      },
    });
  });

  it(`answers a body over its limit (${LIMIT} bytes) with payload_too_large`, async () => {
    const answer = await post(JSON.stringify({ a: 'x'.repeat(LIMIT) }));
    expect(answer).toMatchObject({ status: 413, body: { code: 'payload_too_large' } });
  });
});
