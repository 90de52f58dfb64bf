import type { HeraldConfig } from '../config/herald-config';
import { contentChecker } from './content-checker';
import type { TemplateCatalog } from './template-catalog';
import { loadTemplateCatalog } from './template-loader';

/** The templates of `config.templates.dir`, held to `config.limits`; throws `TemplateLoadError`. */
export function loadTemplates(config: HeraldConfig): TemplateCatalog {
  return loadTemplateCatalog(config.templates.dir, { checkContent: contentChecker(config.limits) });
}
