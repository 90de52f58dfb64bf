import { z } from 'zod';
import { CALLER_EVENT_TYPES, type CallerEventType } from '../contracts/caller-event';

const eventType = z.enum(CALLER_EVENT_TYPES as unknown as [CallerEventType, ...CallerEventType[]]);
const isoTime = z.iso.datetime({ offset: true });

/** `PUT /v1/event-endpoint` body. */
export const eventEndpointRequestSchema = z
  .strictObject({
    url: z
      .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
      .max(2048, 'must be at most 2048 characters')
      .describe('Where Herald posts the events; its host must be in HERALD_EVENT_ENDPOINT_HOSTS.'),
    events: z
      .array(eventType)
      .min(1, 'must name at least one event type')
      .refine((list) => new Set(list).size === list.length, 'names an event type twice')
      .optional()
      .describe('The event types to receive; every type when absent.'),
  })
  .describe("The caller's event endpoint.");
export type EventEndpointRequest = z.infer<typeof eventEndpointRequestSchema>;

/** `GET /v1/event-endpoint` (and the `PUT` answer): the endpoint, never its secret. */
export const eventEndpointViewSchema = z
  .object({
    caller: z.string().describe('Whose endpoint: the API key name, or queue:<queue name>.'),
    url: z.string(),
    events: z.array(eventType),
    state: z.enum(['enabled', 'disabled']),
    disabled: z
      .object({
        at: isoTime,
        reason: z.string(),
      })
      .optional()
      .describe('Why and since when no event is posted; a PUT enables the endpoint again.'),
    previousSecretValidUntil: isoTime
      .optional()
      .describe('After a rotation: events are signed with the old secret too until then.'),
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .describe("A caller's event endpoint (its secret is shown only when created or rotated).");
export type EventEndpointView = z.infer<typeof eventEndpointViewSchema>;

/** The `PUT` answer when it created the endpoint: the view plus its secret, shown this once. */
export const createdEventEndpointSchema = eventEndpointViewSchema
  .extend({
    secret: z
      .string()
      .describe('The signing secret (whsec_…), shown only now: keep it to verify events.'),
  })
  .describe('The endpoint was created; its signing secret is shown this once.');

/** `POST /v1/event-endpoint/rotate-secret` answer. */
export const rotatedSecretSchema = z
  .object({
    secret: z.string().describe('The new signing secret (whsec_…), shown only now.'),
    previousSecretValidUntil: isoTime.describe(
      'Until then events carry a signature made with the old secret as well.',
    ),
  })
  .describe('A new signing secret; the old one keeps signing for 24 hours.');
