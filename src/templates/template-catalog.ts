import type { Template } from './template';

/** Every template loaded at start, by name. Immutable: a template edit needs a restart. */
export class TemplateCatalog {
  constructor(private readonly templates: ReadonlyMap<string, Template>) {}

  get(name: string): Template | undefined {
    return this.templates.get(name);
  }

  list(): Template[] {
    return [...this.templates.values()];
  }
}
