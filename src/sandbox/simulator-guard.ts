import type { FastifyInstance } from 'fastify';

/** Names every loopback client may use for the simulator. */
const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '::1', '[::1]'];

/** Methods that change the simulator's state and carry a body. */
const WRITES = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Keeps web pages away from the simulator: a request whose `Host` is not loopback, the bind
 * address or an allowed name gets 403 (a DNS-rebinding page arrives with its own host name),
 * and a control-route write that is not `application/json` gets 415 (a foreign page can send
 * a form or `text/plain` without asking, but not JSON).
 */
export function guardSimulator(
  app: FastifyInstance,
  bindHost: string,
  allowedHosts: readonly string[],
): void {
  const allowed = new Set([...LOOPBACK_HOSTS, ...allowedHosts].map((h) => h.toLowerCase()));
  if (bindHost !== '0.0.0.0' && bindHost !== '::') allowed.add(bindHost.toLowerCase());
  app.addHook('onRequest', async (request, reply) => {
    if (!allowed.has(hostName(request.headers.host))) {
      return reply.status(403).send({
        error: 'host not allowed',
        detail: 'Reach the simulator as localhost or a name in HERALD_SANDBOX_ALLOWED_HOSTS.',
      });
    }
    if (
      request.url.startsWith('/_sandbox/') &&
      WRITES.has(request.method) &&
      request.headers['content-type']?.split(';')[0]?.trim().toLowerCase() !== 'application/json'
    ) {
      return reply
        .status(415)
        .send({ error: 'the control API takes application/json only', detail: 'Send {}.' });
    }
    return undefined;
  });
}

/** The host name of a `Host` header, without its port (`[::1]:4010` → `[::1]`). */
function hostName(header: string | undefined): string {
  if (header === undefined) return '';
  const host = header.trim().toLowerCase();
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}
