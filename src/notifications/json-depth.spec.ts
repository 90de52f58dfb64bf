import { HeraldError } from '../errors/herald-error';
import { assertJsonDepth, MAX_JSON_DEPTH } from './json-depth';

const nested = (depth: number): unknown => {
  let v: unknown = [];
  for (let i = 1; i < depth; i += 1) v = [v];
  return v;
};

describe(assertJsonDepth.name, () => {
  it('accepts a body exactly at the limit', () => {
    // The message object is level 1, so its blocks may nest MAX_JSON_DEPTH - 1 levels.
    expect(() => assertJsonDepth({ blocks: nested(MAX_JSON_DEPTH - 1) })).not.toThrow();
  });

  it('refuses one level more, naming the top-level field', () => {
    let caught: unknown;
    try {
      assertJsonDepth({ channel: 'chat', blocks: nested(MAX_JSON_DEPTH) });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(HeraldError);
    expect((caught as HeraldError).code).toBe('validation_failed');
    expect((caught as HeraldError).extra.errors).toEqual([
      { field: 'blocks', message: `is nested deeper than ${MAX_JSON_DEPTH} levels` },
    ]);
  });

  it('checks a body nested 100,000 deep without running out of stack', () => {
    expect(() => assertJsonDepth({ metadata: nested(100_000) })).toThrow(HeraldError);
  });
});
