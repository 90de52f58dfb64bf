import type { HeraldConfig } from '../config/herald-config';

/** Who may call a route: anyone, or a caller with a key from `HERALD_API_KEYS`. */
export type RoutePolicy = 'public' | 'api-key';

/**
 * The routes anyone may call, whatever `HERALD_AUTH` says; every other route needs a key, so a
 * route added later is protected until someone decides otherwise. The README's "Who may call
 * what" table says the same. A path ending in `/*` covers everything below it.
 *
 * - health checks, for load balancers and orchestrators;
 * - the OpenAPI document and its UI, and the message's JSON Schema: no data in them;
 * - provider event webhooks: each is authenticated by its provider's signature instead.
 */
export const PUBLIC_ROUTES: readonly string[] = [
  '/health/live',
  '/health/ready',
  '/docs',
  '/docs/*',
  '/v1/schema/notification.json',
  '/v1/provider-events/*',
];

/**
 * The policy of the route Fastify matched (`routeUrl` is its pattern, e.g.
 * `/v1/notifications/:id`). `/metrics` follows `HERALD_METRICS_AUTH`; an unmatched request is
 * public, so it gets its 404 rather than a 401.
 */
export function routePolicy(routeUrl: string | undefined, config: HeraldConfig): RoutePolicy {
  if (routeUrl === undefined) return 'public';
  if (routeUrl === '/metrics') return config.auth.metrics === 'api-key' ? 'api-key' : 'public';
  const open = PUBLIC_ROUTES.some((route) =>
    route.endsWith('/*')
      ? routeUrl.startsWith(route.slice(0, -1)) || routeUrl === route.slice(0, -2)
      : routeUrl === route,
  );
  return open ? 'public' : 'api-key';
}
