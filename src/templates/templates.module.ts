import { Module } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { contentChecker } from './content-checker';
import { TemplateCatalog } from './template-catalog';
import { loadTemplateCatalog } from './template-loader';
import { TemplatesService } from './templates.service';

/**
 * Templates, loaded once when the module starts: a broken template throws
 * `TemplateLoadError` and the process does not start. Used by intake in both roles.
 */
@Module({
  providers: [
    {
      provide: TemplateCatalog,
      inject: [HERALD_CONFIG],
      useFactory: (config: HeraldConfig) =>
        loadTemplateCatalog(config.templates.dir, {
          checkContent: contentChecker(config.limits),
        }),
    },
    TemplatesService,
  ],
  exports: [TemplatesService],
})
export class TemplatesModule {}
