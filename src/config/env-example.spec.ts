import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { envSchema } from './config.schema';

const root = join(__dirname, '..', '..');
const envExample = readFileSync(join(root, '.env.example'), 'utf8');

describe('.env.example', () => {
  it('documents every variable the configuration schema reads', () => {
    const missing = Object.keys(envSchema.shape).filter(
      (name) => !new RegExp(`\\b${name}\\b`).test(envExample),
    );
    expect(missing).toEqual([]);
  });

  it('sets no variable the schema does not know', () => {
    const known = new Set(Object.keys(envSchema.shape));
    const assigned = [...envExample.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);
    expect(assigned.filter((name) => !known.has(name))).toEqual([]);
  });
});
