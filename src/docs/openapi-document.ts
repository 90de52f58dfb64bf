import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { z } from 'zod';
import { routePolicy } from '../auth/route-policy';
import {
  createdEventEndpointSchema,
  eventEndpointRequestSchema,
  eventEndpointViewSchema,
  rotatedSecretSchema,
} from '../caller-events/event-endpoint.schemas';
import type { HeraldConfig } from '../config/herald-config';
import type { ErrorCode } from '../errors/error-code';
import { statusOf } from '../errors/problem.filter';
import { keepExamples, notificationSchemas } from '../notifications/notification-message.schema';
import { messageFormsJsonSchema } from '../notifications/notification-json-schema';
import { providersStatusSchema } from '../providers-status/provider-status.schema';
import { MAX_URL_CHARS } from '../routing/url-length.hook';
import {
  templateListSchema,
  templatePreviewRequestSchema,
  templatePreviewSchema,
} from '../templates/templates-api.schemas';
import {
  suppressionAnswerSchema,
  suppressionPutSchema,
} from '../suppression/suppression-request.schema';
import { type DocumentedOperation, OPERATIONS } from './openapi-operations';
import {
  acceptedNotificationSchema,
  livenessSchema,
  notificationRecordAnswerSchema,
  problemSchema,
  readinessSchema,
  retriedNotificationSchema,
  batchResultsSchema,
  notificationPageSchema,
  cancelledNotificationSchema,
} from './response.schemas';

type JsonSchema = Record<string, unknown>;
type Operation = Record<string, unknown>;

/**
 * JSON Schema of a zod schema for the document: draft 2020-12, which OpenAPI 3.1 takes as it
 * is. Request bodies are described as accepted (`input`), answers as sent (`output`).
 */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  return withoutDialect(z.toJSONSchema(schema, { io, override: keepExamples }));
}

/** OpenAPI 3.1 documents name their dialect once, not per schema. */
function withoutDialect(schema: JsonSchema): JsonSchema {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}

/**
 * The components, generated from the zod schemas that validate requests (the message, with
 * this process's limits) and describe answers: no schema is written twice.
 */
export function openApiComponents(config: HeraldConfig): Record<string, JsonSchema> {
  return {
    NotificationMessage: withoutDialect(
      messageFormsJsonSchema(notificationSchemas(config.limits).message),
    ),
    AcceptedNotification: jsonSchemaOf(acceptedNotificationSchema, 'output'),
    RetriedNotification: jsonSchemaOf(retriedNotificationSchema, 'output'),
    NotificationBatch: {
      type: 'object',
      description:
        'Messages accepted each on its own; `idempotencyKey` plays the Idempotency-Key header.',
      properties: {
        items: {
          type: 'array',
          minItems: 1,
          maxItems: config.http.batchMax,
          items: withoutDialect(messageFormsJsonSchema(notificationSchemas(config.limits).job)),
        },
      },
      required: ['items'],
      additionalProperties: false,
    },
    BatchResults: jsonSchemaOf(batchResultsSchema, 'output'),
    NotificationPage: jsonSchemaOf(notificationPageSchema, 'output'),
    CancelledNotification: jsonSchemaOf(cancelledNotificationSchema, 'output'),
    NotificationRecord: jsonSchemaOf(notificationRecordAnswerSchema, 'output'),
    ProvidersStatus: jsonSchemaOf(providersStatusSchema, 'output'),
    TemplateList: jsonSchemaOf(templateListSchema, 'output'),
    TemplatePreviewRequest: jsonSchemaOf(templatePreviewRequestSchema, 'input'),
    TemplatePreview: jsonSchemaOf(templatePreviewSchema, 'output'),
    EventEndpointRequest: jsonSchemaOf(eventEndpointRequestSchema, 'input'),
    EventEndpoint: jsonSchemaOf(eventEndpointViewSchema, 'output'),
    CreatedEventEndpoint: jsonSchemaOf(createdEventEndpointSchema, 'output'),
    RotatedSecret: jsonSchemaOf(rotatedSecretSchema, 'output'),
    Liveness: jsonSchemaOf(livenessSchema, 'output'),
    Readiness: jsonSchemaOf(readinessSchema, 'output'),
    SuppressionRequest: jsonSchemaOf(suppressionPutSchema, 'input'),
    SuppressionAnswer: jsonSchemaOf(suppressionAnswerSchema, 'output'),
    Problem: jsonSchemaOf(problemSchema, 'output'),
  };
}

const ref = (component: string) => ({ $ref: `#/components/schemas/${component}` });

/** One response per status, each listing the codes that answer with it. */
function problemResponses(codes: readonly ErrorCode[]): Record<string, unknown> {
  const byStatus = new Map<number, string[]>();
  for (const code of codes) {
    const { status, title } = statusOf(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), `\`${code}\`: ${title}`]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, lines]) => [
      String(status),
      {
        description: lines.join('; '),
        ...(status === 429 || status === 503
          ? {
              headers: {
                'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } },
              },
            }
          : {}),
        content: { 'application/problem+json': { schema: ref('Problem') } },
      },
    ]),
  );
}

function describe(
  path: string,
  scanned: Operation,
  op: DocumentedOperation,
  config: HeraldConfig,
): Operation {
  // The route policy decides, not the operation list: the document cannot disagree with it.
  const keyed =
    config.auth.mode === 'api-key' &&
    routePolicy(path.replace(/\{(\w+)\}/g, ':$1'), config) === 'api-key';
  const ours = op.parameters ?? [];
  const kept = ((scanned.parameters as { name: string; in: string }[] | undefined) ?? []).filter(
    (p) => !ours.some((o) => o.in === p.in && o.name.toLowerCase() === p.name.toLowerCase()),
  );
  const responses: Record<string, unknown> = {};
  for (const [status, r] of Object.entries(op.responses)) {
    const media =
      r.media ?? (r.component ? { type: 'application/json', schema: ref(r.component) } : undefined);
    responses[status] = {
      description: r.description,
      ...(r.headers
        ? {
            headers: Object.fromEntries(
              Object.entries(r.headers).map(([name, h]) => [
                name,
                { ...h, schema: { type: 'string' } },
              ]),
            ),
          }
        : {}),
      ...(media ? { content: { [media.type]: { schema: media.schema } } } : {}),
    };
  }
  return {
    ...scanned,
    tags: [op.tag],
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    parameters: [...kept, ...ours],
    ...(op.requestBody
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: ref(op.requestBody) } },
          },
        }
      : {}),
    ...(op.requestMedia
      ? {
          requestBody: {
            required: true,
            content: Object.fromEntries(
              Object.entries(op.requestMedia).map(([type, schema]) => [type, { schema }]),
            ),
          },
        }
      : {}),
    responses: {
      ...responses,
      ...problemResponses(
        keyed ? [...new Set<ErrorCode>(['unauthorized', ...op.problems])] : op.problems,
      ),
    },
    ...(keyed
      ? { security: path === '/status' ? [{ bearer: [] }, { basic: [] }] : [{ bearer: [] }] }
      : {}),
  };
}

/**
 * The OpenAPI 3.1 document of the routes this process serves: Nest's scan finds the routes, and
 * {@link OPERATIONS} plus the zod-generated components say what they take and answer.
 */
export function buildOpenApiDocument(app: INestApplication, config: HeraldConfig): OpenAPIObject {
  const base = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Herald')
    .setDescription(
      'Multi-provider notification service: e-mail, SMS and chat with ordered failover, circuit ' +
        'breakers and idempotent sends. Errors are application/problem+json with a stable `code`. ' +
        `Any route answers 414 \`uri_too_long\` to a URL over ${MAX_URL_CHARS} characters; a ` +
        'documented path asked with a method it does not serve answers 405 ' +
        '`method_not_allowed` with `Allow` listing the methods it serves.\n\n' +
        'This document as JSON: `/docs/json` (YAML: `/docs/yaml`). API keys are opaque strings ' +
        'from `HERALD_API_KEYS` (not JWTs), sent as `Authorization: Bearer <key>`, or as the ' +
        'password of HTTP Basic where a browser asks (`/status`). A caller sees only its own ' +
        "notifications; a key with the admin scope sees every caller's.",
    )
    .setVersion('v1')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        // Nest's default would be JWT; Herald's keys are opaque strings.
        bearerFormat: 'API key',
        description: 'An API key from HERALD_API_KEYS.',
      },
      'bearer',
    )
    .addBasicAuth(
      {
        type: 'http',
        scheme: 'basic',
        description: 'Any user name, an API key from HERALD_API_KEYS as the password.',
      },
      'basic',
    )
    .build();
  const document = SwaggerModule.createDocument(app, base);
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, scanned] of Object.entries(item as Record<string, Operation>)) {
      const op = OPERATIONS[`${method.toUpperCase()} ${path}`];
      if (op) (item as Record<string, Operation>)[method] = describe(path, scanned, op, config);
    }
  }
  // The provider webhooks are Fastify routes of their own (raw bodies), which Nest's scan does
  // not see; a process that serves them (not a worker) documents them from the list.
  if (config.role !== 'worker') {
    for (const [key, op] of Object.entries(OPERATIONS)) {
      const [method, path] = key.split(' ') as [string, string];
      if (!path.startsWith('/v1/provider-events/')) continue;
      const item = (document.paths[path] ??= {}) as Record<string, Operation>;
      item[method.toLowerCase()] = describe(path, {}, op, config);
    }
  }
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ...openApiComponents(config) },
  };
  return document;
}
