import { cpSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MESSAGE_LIMITS } from '../notifications/notification-message.schema';
import { contentChecker } from './content-checker';
import { loadTemplateCatalog } from './template-loader';
import { TemplateLoadError } from './template-load-error';

const SHIPPED = join(__dirname, '..', '..', 'templates');
const check = { checkContent: contentChecker(DEFAULT_MESSAGE_LIMITS) };

/** A copy of the shipped templates to break, removed after each spec. */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'herald-templates-'));
  cpSync(SHIPPED, dir, { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function problemsOf(load: () => unknown): string[] {
  try {
    load();
  } catch (err) {
    expect(err).toBeInstanceOf(TemplateLoadError);
    return [...(err as TemplateLoadError).problems];
  }
  throw new Error('expected the load to fail');
}

const write = (file: string, text: string) => writeFileSync(join(dir, file), text);

describe(loadTemplateCatalog.name, () => {
  it('loads the shipped templates with their channels and locales', () => {
    const catalog = loadTemplateCatalog(SHIPPED, check);
    expect(catalog.list().map((t) => [t.name, t.channels, t.locales])).toEqual([
      ['oncall-alert', ['chat', 'sms'], []],
      ['order-confirmation', ['email', 'sms'], ['fr', 'fr-CA']],
      ['password-reset', ['email', 'sms'], ['fr']],
    ]);
  });

  describe('when a file does not parse', () => {
    it('names the file and the line of a Liquid syntax error', () => {
      write('order-confirmation/fr/email.text.liquid', 'Bonjour\n\n{{ order.id }\n');
      expect(problemsOf(() => loadTemplateCatalog(dir, check))).toEqual([
        expect.stringMatching(
          /order-confirmation\/fr\/email\.text\.liquid:3: output "\{\{ order\.id \}" not closed/,
        ),
      ]);
    });

    it('names an unknown filter with its line', () => {
      write('password-reset/email.subject.liquid', 'Reset\n{{ user.name | shout }}');
      expect(problemsOf(() => loadTemplateCatalog(dir, check))).toEqual([
        expect.stringMatching(/password-reset\/email\.subject\.liquid:2: undefined filter: shout/),
      ]);
    });

    it('names the line of a Liquid error inside chat blocks', () => {
      write(
        'oncall-alert/chat.blocks.json',
        '[\n  {"type": "section",\n   "text": "{% if x %}"}\n]',
      );
      expect(problemsOf(() => loadTemplateCatalog(dir, check))).toEqual([
        expect.stringMatching(/oncall-alert\/chat\.blocks\.json:3: tag \{% if x %\} not closed/),
      ]);
    });

    it('names the line of a JSON syntax error', () => {
      write('oncall-alert/schema.json', '{\n  "type": "object",\n  "properties": {,}\n}');
      expect(problemsOf(() => loadTemplateCatalog(dir, check))).toEqual([
        expect.stringMatching(/oncall-alert\/schema\.json:3: not valid JSON/),
      ]);
    });
  });

  describe('when the data schema is not valid JSON Schema', () => {
    it('names the line of the bad keyword value', () => {
      write(
        'oncall-alert/schema.json',
        '{\n  "type": "object",\n  "properties": {\n    "a": { "type": "strin" }\n  }\n}',
      );
      expect(problemsOf(() => loadTemplateCatalog(dir, check))[0]).toMatch(
        /oncall-alert\/schema\.json:4: not valid JSON Schema: \/properties\/a\/type/,
      );
    });

    it('refuses an unknown keyword (a typo would silently check nothing)', () => {
      write('oncall-alert/schema.json', '{\n  "type": "object",\n  "requird": ["alert"]\n}');
      expect(problemsOf(() => loadTemplateCatalog(dir, check))).toEqual([
        expect.stringMatching(/oncall-alert\/schema\.json:3: not valid JSON Schema: .*requird/),
      ]);
    });
  });

  describe('when an example does not go through', () => {
    it('names the example that does not match the schema', () => {
      write('password-reset/examples.json', '[\n  { "data": { "user": {} } }\n]');
      expect(problemsOf(() => loadTemplateCatalog(dir, check))).toEqual([
        expect.stringMatching(
          /password-reset\/examples\.json:2: example 1 does not match schema\.json: .*data\.resetUrl is required.*data\.user\.name is required/,
        ),
      ]);
    });

    it('names the file and line of a variable the data does not have', () => {
      write('password-reset/fr/sms.text.liquid', 'Code :\n{{ user.nom }}');
      expect(problemsOf(() => loadTemplateCatalog(dir, check))).toEqual([
        expect.stringMatching(
          /password-reset\/fr\/sms\.text\.liquid:2: undefined variable: user\.nom .*\(rendering example 1\)/,
        ),
      ]);
    });

    it('names output that breaks the message limits', () => {
      const small = {
        checkContent: contentChecker({ ...DEFAULT_MESSAGE_LIMITS, maxSubjectChars: 10 }),
      };
      expect(problemsOf(() => loadTemplateCatalog(dir, small))).toContainEqual(
        expect.stringMatching(
          /order-confirmation: example 1 renders a email subject that must be at most 10 characters/,
        ),
      );
    });
  });

  describe('when the folder is incomplete', () => {
    it('names a locale variant that lacks a required part', () => {
      unlinkSync(join(dir, 'order-confirmation/fr/email.subject.liquid'));
      expect(problemsOf(() => loadTemplateCatalog(dir, check))).toEqual([
        expect.stringMatching(
          /order-confirmation\/fr: the email variant needs email\.subject\.liquid/,
        ),
      ]);
    });

    it('names a file it does not know, such as a misspelt part', () => {
      write('order-confirmation/email.subjet.liquid', 'x');
      expect(problemsOf(() => loadTemplateCatalog(dir, check))).toEqual([
        expect.stringMatching(/order-confirmation\/email\.subjet\.liquid: unknown file/),
      ]);
    });

    it('names a missing templates folder', () => {
      expect(problemsOf(() => loadTemplateCatalog(join(dir, 'nope'), check))).toEqual([
        expect.stringMatching(/nope: cannot read the templates folder \(ENOENT\)/),
      ]);
    });
  });

  it('lists the problems of every template at once', () => {
    write('order-confirmation/sms.text.liquid', '{{ order.id');
    write('password-reset/sms.text.liquid', '{% endif %}');
    expect(problemsOf(() => loadTemplateCatalog(dir, check))).toHaveLength(2);
  });
});
