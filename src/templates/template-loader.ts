import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import {
  getNodeValue,
  type Node,
  type ParseError,
  parseTree,
  printParseErrorCode,
} from 'jsonc-parser';
import type { Template as LiquidTemplate } from 'liquidjs';
import type { ChannelKind } from '../config/config.schema';
import type { FieldProblem } from '../errors/herald-error';
import { isLocale, TEMPLATE_NAME } from '../notifications/notification-message.schema';
import { dataProblems } from './data-problems';
import { type Escaping, LIQUID } from './liquid-environments';
import {
  type ChannelVariant,
  type CompiledPart,
  type ContentField,
  DEFAULT_LOCALE,
  PART_FILES,
  type Template,
  TemplateRenderError,
} from './template';
import { TemplateCatalog } from './template-catalog';
import { localeChain, renderTemplate } from './template-renderer';
import { TemplateLoadError } from './template-load-error';

/** What the loader needs from the rest of Herald. */
export interface TemplateLoadOptions {
  /** Problems of rendered content against the message limits; empty when it passes. */
  checkContent(channel: ChannelKind, content: Record<string, unknown>): FieldProblem[];
}

const SCHEMA_FILE = 'schema.json';
const EXAMPLES_FILE = 'examples.json';
/** Files a template folder may hold besides its parts. */
const OTHER_FILES = new Set([SCHEMA_FILE, EXAMPLES_FILE, 'README.md']);

/**
 * Reads every template under `dir` once, at start: compiles each file, checks each data schema
 * is valid JSON Schema (2020-12), and renders every example through every locale and channel,
 * checking the output against the message limits. Throws one {@link TemplateLoadError} listing
 * every problem with its file and line, so a broken template stops the start.
 */
export function loadTemplateCatalog(dir: string, options: TemplateLoadOptions): TemplateCatalog {
  const loader = new Loader(dir, options);
  const templates = loader.loadAll();
  if (loader.problems.size > 0) throw new TemplateLoadError(loader.show(dir), [...loader.problems]);
  return new TemplateCatalog(templates);
}

interface JsonFile {
  readonly text: string;
  readonly tree: Node;
}

class Loader {
  readonly problems = new Set<string>();
  private readonly ajv = new Ajv2020({ allErrors: true, strict: true });

  constructor(
    private readonly dir: string,
    private readonly options: TemplateLoadOptions,
  ) {
    addFormats(this.ajv);
  }

  /** A path as an operator reads it: relative to the working directory when inside it. */
  show(path: string): string {
    const rel = relative(process.cwd(), path);
    return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
  }

  private problem(path: string, line: number | undefined, message: string): void {
    this.problems.add(`${this.show(path)}${line === undefined ? '' : `:${line}`}: ${message}`);
  }

  loadAll(): Map<string, Template> {
    const templates = new Map<string, Template>();
    let entries;
    try {
      entries = readdirSync(this.dir, { withFileTypes: true });
    } catch (err) {
      this.problem(this.dir, undefined, `cannot read the templates folder (${code(err)})`);
      return templates;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(this.dir, entry.name);
      if (entry.name.startsWith('.') || (entry.isFile() && entry.name === 'README.md')) continue;
      if (!entry.isDirectory()) {
        this.problem(path, undefined, 'not a folder: each template is a folder of its own');
      } else if (!TEMPLATE_NAME.test(entry.name)) {
        this.problem(path, undefined, 'a template name is lower-case letters, digits and -');
      } else {
        const template = this.loadTemplate(path, entry.name);
        if (template) templates.set(entry.name, template);
      }
    }
    return templates;
  }

  private loadTemplate(folder: string, name: string): Template | undefined {
    const before = this.problems.size;
    const schema = this.loadSchema(join(folder, SCHEMA_FILE));
    const variants = new Map<
      string,
      Map<ChannelKind, Partial<Record<ContentField, CompiledPart>>>
    >();
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (!isLocale(entry.name) || Intl.getCanonicalLocales(entry.name)[0] !== entry.name) {
          this.problem(
            path,
            undefined,
            'a locale folder is a canonical BCP 47 tag such as fr or fr-CA',
          );
          continue;
        }
        for (const file of readdirSync(path, { withFileTypes: true })) {
          this.loadPart(folder, `${entry.name}/${file.name}`, entry.name, file.isFile(), variants);
        }
      } else if (!OTHER_FILES.has(entry.name)) {
        this.loadPart(folder, entry.name, DEFAULT_LOCALE, entry.isFile(), variants);
      }
    }

    const defaults = variants.get(DEFAULT_LOCALE);
    if (!defaults || defaults.size === 0) {
      this.problem(
        folder,
        undefined,
        'no channel variant at the top of the folder (e.g. email.subject.liquid)',
      );
    }
    for (const [locale, channels] of variants) {
      for (const [channel, parts] of channels) {
        const at = locale === DEFAULT_LOCALE ? folder : join(folder, locale);
        const missing = missingParts(channel, parts);
        if (missing) this.problem(at, undefined, `the ${channel} variant needs ${missing}`);
        if (locale !== DEFAULT_LOCALE && !defaults?.has(channel)) {
          this.problem(
            at,
            undefined,
            `${channel} has no default variant to fall back on at the top of the folder`,
          );
        }
      }
    }
    if (!schema || this.problems.size > before) return undefined;

    const template: Template = {
      name,
      schema: schema.value,
      validate: schema.validate,
      channels: [...(defaults?.keys() ?? [])],
      locales: [...variants.keys()].filter((l) => l !== DEFAULT_LOCALE).sort(),
      variants,
    };
    this.checkExamples(folder, template);
    return this.problems.size > before ? undefined : template;
  }

  private loadSchema(path: string) {
    const file = this.readJson(path);
    if (!file) return undefined;
    const value = getNodeValue(file.tree) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.problem(path, 1, 'must be a JSON Schema object');
      return undefined;
    }
    const schema = value as Record<string, unknown>;
    if (schema.type !== 'object') {
      this.problem(
        path,
        lineOf(file, ['type']),
        'the data is an object: the schema needs "type": "object"',
      );
      return undefined;
    }
    if (!this.ajv.validateSchema(schema)) {
      for (const e of this.ajv.errors ?? []) {
        const at = e.instancePath.split('/').slice(1);
        this.problem(
          path,
          lineOf(file, at),
          `not valid JSON Schema: ${e.instancePath || '/'} ${e.message ?? ''}`,
        );
      }
      return undefined;
    }
    try {
      return { value: schema, validate: this.ajv.compile(schema) };
    } catch (err) {
      // Strict mode: unknown keywords and formats, contradictions. Point at the keyword named.
      const message = (err as Error).message;
      const word = /"([^"]+)"/.exec(message)?.[1];
      const offset = word === undefined ? -1 : file.text.indexOf(`"${word}"`);
      this.problem(
        path,
        offset < 0 ? undefined : lineAt(file.text, offset),
        `not valid JSON Schema: ${message}`,
      );
      return undefined;
    }
  }

  private loadPart(
    folder: string,
    file: string,
    locale: string,
    isFile: boolean,
    variants: Map<string, Map<ChannelKind, Partial<Record<ContentField, CompiledPart>>>>,
  ): void {
    const path = join(folder, file);
    const base = file.slice(file.lastIndexOf('/') + 1);
    const spec = isFile ? PART_FILES[base] : undefined;
    if (!spec) {
      this.problem(
        path,
        undefined,
        `unknown file; expected ${Object.keys(PART_FILES).join(', ')}${locale === DEFAULT_LOCALE ? `, ${[...OTHER_FILES].join(', ')}` : ''} or a locale folder`,
      );
      return;
    }
    const part = base.endsWith('.json')
      ? this.compileBlocks(path, file, spec.escaping)
      : this.compileLiquid(path, file, readText(path), spec.escaping);
    const channels =
      variants.get(locale) ?? new Map<ChannelKind, Partial<Record<ContentField, CompiledPart>>>();
    variants.set(locale, channels);
    // A part that did not compile still counts as present: its own error is the one to fix.
    channels.set(spec.channel, {
      ...channels.get(spec.channel),
      [spec.field]: part ?? { file, render: () => undefined },
    });
  }

  private compileLiquid(
    path: string,
    file: string,
    source: string,
    escaping: Escaping,
  ): CompiledPart | undefined {
    const liquid = LIQUID[escaping];
    // Editors end files with a newline; it is not part of a subject or an SMS.
    const text = source.replace(/\r?\n$/, '');
    let compiled: LiquidTemplate[];
    try {
      compiled = liquid.parse(text);
    } catch (err) {
      const { line, problem } = liquidProblem(err);
      this.problem(path, line, problem);
      return undefined;
    }
    return {
      file,
      render: (data) => {
        try {
          return liquid.renderSync(compiled, data) as string;
        } catch (err) {
          const { line, problem } = liquidProblem(err);
          throw new TemplateRenderError(file, line, problem);
        }
      },
    };
  }

  /** Blocks are JSON whose strings are Liquid templates, so data never has to be JSON-escaped. */
  private compileBlocks(path: string, file: string, escaping: Escaping): CompiledPart | undefined {
    const json = this.readJson(path);
    if (!json) return undefined;
    if (json.tree.type !== 'array') {
      this.problem(path, 1, 'must be a JSON array of Slack blocks');
      return undefined;
    }
    const liquid = LIQUID[escaping];
    let ok = true;
    const compile = (node: Node): ((data: Record<string, unknown>) => unknown) => {
      switch (node.type) {
        case 'array': {
          const items = (node.children ?? []).map(compile);
          return (data) => items.map((item) => item(data));
        }
        case 'object': {
          const entries = (node.children ?? []).map((prop) => {
            const [key, value] = prop.children!;
            return [key!.value as string, compile(value!)] as const;
          });
          return (data) => Object.fromEntries(entries.map(([k, v]) => [k, v(data)]));
        }
        case 'string': {
          const line = lineAt(json.text, node.offset);
          let compiled: LiquidTemplate[];
          try {
            compiled = liquid.parse(node.value as string);
          } catch (err) {
            ok = false;
            this.problem(path, line, liquidProblem(err).problem);
            return () => undefined;
          }
          return (data) => {
            try {
              return liquid.renderSync(compiled, data) as string;
            } catch (err) {
              throw new TemplateRenderError(file, line, liquidProblem(err).problem);
            }
          };
        }
        default: {
          const value = node.value as unknown;
          return () => value;
        }
      }
    };
    const render = compile(json.tree);
    return ok ? { file, render } : undefined;
  }

  private checkExamples(folder: string, template: Template): void {
    const path = join(folder, EXAMPLES_FILE);
    const file = this.readJson(path);
    if (!file) return;
    const examples = getNodeValue(file.tree) as unknown;
    if (!Array.isArray(examples) || examples.length === 0) {
      this.problem(path, 1, 'must be a non-empty array of {"data": {...}}');
      return;
    }
    // One report per broken spot, not one per example that reaches it.
    const reported = new Set<string>();
    examples.forEach((example: unknown, i) => {
      const line = lineOf(file, [i]);
      const data = (example as { data?: unknown } | null)?.data;
      if (typeof data !== 'object' || data === null || Array.isArray(data)) {
        this.problem(path, line, `example ${i + 1} needs "data": {...}`);
        return;
      }
      if (!template.validate(data)) {
        const fields = dataProblems(template.validate.errors ?? []);
        this.problem(
          path,
          line,
          `example ${i + 1} does not match ${SCHEMA_FILE}: ${fields.map((f) => `${f.field} ${f.message}`).join('; ')}`,
        );
        return;
      }
      for (const locale of [DEFAULT_LOCALE, ...template.locales]) {
        for (const channel of template.channels) {
          const wanted = locale === DEFAULT_LOCALE ? undefined : locale;
          if (localeChain(wanted).find((l) => template.variants.get(l)?.has(channel)) !== locale)
            continue;
          try {
            const { content } = renderTemplate(
              template,
              channel,
              wanted,
              data as Record<string, unknown>,
            );
            for (const p of this.options.checkContent(channel, content)) {
              const at = locale === DEFAULT_LOCALE ? folder : join(folder, locale);
              this.problem(
                at,
                undefined,
                `example ${i + 1} renders a ${channel} ${p.field} that ${p.message}`,
              );
            }
          } catch (err) {
            if (!(err instanceof TemplateRenderError)) throw err;
            if (reported.has(err.message)) continue;
            reported.add(err.message);
            this.problem(
              join(folder, err.file),
              err.line,
              `${err.problem} (rendering example ${i + 1})`,
            );
          }
        }
      }
    });
  }

  private readJson(path: string): JsonFile | undefined {
    let text: string;
    try {
      text = readText(path);
    } catch (err) {
      this.problem(
        path,
        undefined,
        code(err) === 'ENOENT' ? 'missing' : `cannot read (${code(err)})`,
      );
      return undefined;
    }
    const errors: ParseError[] = [];
    const tree = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
    if (errors.length > 0 || !tree) {
      const first = errors[0];
      this.problem(
        path,
        first ? lineAt(text, first.offset) : 1,
        `not valid JSON (${first ? printParseErrorCode(first.error) : 'empty'})`,
      );
      return undefined;
    }
    return { text, tree };
  }
}

/** Which required parts a channel variant lacks, in words; undefined when complete. */
function missingParts(channel: ChannelKind, parts: ChannelVariant): string | undefined {
  switch (channel) {
    case 'email':
      if (!parts.subject) return 'email.subject.liquid';
      return parts.text || parts.html ? undefined : 'email.text.liquid or email.html.liquid';
    case 'sms':
      return parts.text ? undefined : 'sms.text.liquid';
    case 'chat':
      return parts.text || parts.blocks ? undefined : 'chat.text.liquid or chat.blocks.json';
  }
}

/** The line and message of a LiquidJS error, without LiquidJS's own position suffix. */
function liquidProblem(err: unknown): { line?: number; problem: string } {
  const e = err as { message?: string; token?: { getPosition?: () => [number, number] } };
  const position = e.token?.getPosition?.();
  const problem = (e.message ?? String(err)).replace(/,( file:[^,]*,)? line:\d+, col:\d+$/, '');
  return position
    ? { line: position[0], problem: `${problem} (column ${position[1]})` }
    : { problem };
}

function readText(path: string): string {
  if (!statSync(path).isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
  return readFileSync(path, 'utf8');
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** The line of the value at `path` in a JSON file, or of its nearest existing parent. */
function lineOf(file: JsonFile, path: (string | number)[]): number {
  let node: Node | undefined = file.tree;
  for (const segment of path) {
    const next: Node | undefined =
      node?.type === 'array'
        ? node.children?.[Number(segment)]
        : node?.children?.find((p) => p.children?.[0]?.value === segment)?.children?.[1];
    if (!next) break;
    node = next;
  }
  return lineAt(file.text, node?.offset ?? 0);
}

function code(err: unknown): string {
  return (err as { code?: string }).code ?? (err as Error).message;
}
