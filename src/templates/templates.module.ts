import { type DynamicModule, Global, Module } from '@nestjs/common';
import { TemplateCatalog } from './template-catalog';
import { TemplatesService } from './templates.service';

/**
 * Templates for intake (both roles) and the templates API. The catalog is loaded by
 * `createApp` before the application is built, so a broken template stops the start with its
 * own message rather than amid Nest's start-up logs.
 */
@Global()
@Module({})
export class TemplatesModule {
  static forRoot(catalog: TemplateCatalog): DynamicModule {
    return {
      module: TemplatesModule,
      providers: [{ provide: TemplateCatalog, useValue: catalog }, TemplatesService],
      exports: [TemplatesService],
    };
  }
}
