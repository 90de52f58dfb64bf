import type { INestApplication } from '@nestjs/common';
import { SwaggerModule } from '@nestjs/swagger';
import type { HeraldConfig } from '../config/herald-config';
import { buildOpenApiDocument } from './openapi-document';

/** Where the OpenAPI document is served as JSON (the UI is at `/docs`). */
export const OPENAPI_JSON_PATH = 'docs/json';

/**
 * Serves Swagger UI at `/docs` and the document at `/docs/json` (and `/docs/yaml`). The document
 * is built at its first request, not at start, so starting a process costs nothing for it.
 */
export function setupDocs(app: INestApplication, config: HeraldConfig): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app, config), {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    yamlDocumentUrl: 'docs/yaml',
    customSiteTitle: 'Herald API',
  });
}
