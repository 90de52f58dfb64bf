import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { renderInbox } from './inbox.page';
import { SIMULATED_PROVIDERS, isSimulatedProvider, resolveBehaviour } from './provider-behaviour';
import type { SimulatorControl } from './simulator-control';

const contractSwitch = z.strictObject({ enforce: z.boolean() });

/** Served with the inbox: the page has no script and loads nothing, so it may load nothing. */
const INBOX_CSP = "default-src 'none'; style-src 'unsafe-inline'";

/**
 * The control API under `/_sandbox/` and the HTML inbox at `/`:
 *
 * - `GET /_sandbox/providers`: each provider's behaviour, request count, closed connections
 *   and whether its request contract is enforced.
 * - `PUT /_sandbox/providers/:name`: replace a provider's behaviour (JSON `ProviderBehaviour`).
 * - `PUT /_sandbox/providers/:name/contract` `{"enforce": false}`: stop (or resume) refusing
 *   requests that break the provider's contract; `reset` turns it back on.
 * - `GET /_sandbox/requests?provider=&violations=true`: the request log, oldest first, each
 *   entry with its status and contract violations.
 * - `POST /_sandbox/reset`: every provider back to `ok`, messages and counters cleared.
 * - `GET /_sandbox/messages?provider=&to=&notificationId=`: captured messages, newest first.
 * - `DELETE /_sandbox/messages`: forget the captured messages.
 */
export function registerSimulatorControlRoutes(
  app: FastifyInstance,
  simulator: SimulatorControl,
): void {
  const providerView = (name: (typeof SIMULATED_PROVIDERS)[number]) => ({
    behaviour: simulator.behaviours()[name],
    requests: simulator.requests(name),
    closedConnections: simulator.closedConnections(name),
    contractEnforced: simulator.contractEnforcement()[name],
  });

  app.get('/_sandbox/providers', async () =>
    Object.fromEntries(SIMULATED_PROVIDERS.map((name) => [name, providerView(name)])),
  );

  app.put<{ Params: { name: string } }>('/_sandbox/providers/:name', async (request, reply) => {
    const { name } = request.params;
    if (!isSimulatedProvider(name)) {
      return reply.status(404).send({
        error: `unknown provider "${name}"`,
        providers: SIMULATED_PROVIDERS,
      });
    }
    const resolved = resolveBehaviour(request.body);
    if (!resolved.ok) {
      return reply.status(400).send({ error: 'invalid behaviour', problems: resolved.problems });
    }
    simulator.setBehaviour(name, resolved.behaviour);
    return providerView(name);
  });

  app.put<{ Params: { name: string } }>(
    '/_sandbox/providers/:name/contract',
    async (request, reply) => {
      const { name } = request.params;
      if (!isSimulatedProvider(name)) {
        return reply.status(404).send({
          error: `unknown provider "${name}"`,
          providers: SIMULATED_PROVIDERS,
        });
      }
      const parsed = contractSwitch.safeParse(request.body);
      if (!parsed.success) {
        return reply
          .status(400)
          .send({ error: 'invalid contract switch', problems: ['enforce: must be true or false'] });
      }
      simulator.setContractEnforcement(name, parsed.data.enforce);
      return providerView(name);
    },
  );

  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/_sandbox/requests',
    async (request, reply) => {
      const { provider, violations } = request.query;
      if (provider !== undefined && !isSimulatedProvider(provider)) {
        return reply.status(400).send({
          error: `unknown provider "${provider}"`,
          providers: SIMULATED_PROVIDERS,
        });
      }
      return {
        requests:
          violations === 'true'
            ? simulator.contractBreaches(provider)
            : simulator.requestLog(provider),
      };
    },
  );

  app.post('/_sandbox/reset', async (_request, reply) => {
    simulator.reset();
    return reply.status(204).send();
  });

  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/_sandbox/messages',
    async (request, reply) => {
      const { provider, to, notificationId } = request.query;
      if (provider !== undefined && !isSimulatedProvider(provider)) {
        return reply.status(400).send({
          error: `unknown provider "${provider}"`,
          providers: SIMULATED_PROVIDERS,
        });
      }
      return { messages: simulator.messages({ provider, to, notificationId }) };
    },
  );

  app.delete('/_sandbox/messages', async (_request, reply) => {
    simulator.clearMessages();
    return reply.status(204).send();
  });

  app.get('/', async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', INBOX_CSP)
      .header('cache-control', 'no-store')
      .send(renderInbox(simulator.messages(), simulator.behaviours())),
  );
}
