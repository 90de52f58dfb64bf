import { ConfigError } from '../config/config-error';

/**
 * Thrown at start when a template does not load: every problem, each naming its file and line,
 * so an operator fixes them in one go. A {@link ConfigError}, so the start stops the same way.
 */
export class TemplateLoadError extends ConfigError {
  constructor(dir: string, problems: readonly string[]) {
    super(problems);
    this.name = 'TemplateLoadError';
    this.message =
      `Invalid templates in ${dir} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
      problems.map((p) => `  - ${p}`).join('\n');
  }
}
