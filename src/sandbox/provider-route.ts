import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CapturedMessage } from './captured-message';
import { closeContractCheck, openContractCheck } from './contracts/provider-contract';
import type { ProviderState } from './provider-state';
import type { LoggedRequest } from './request-log';
import { NOTIFICATION_ID_HEADER } from './sandbox-conventions';
import { type ProviderAnswer, type SimulatedEndpoint, htmlFailure } from './simulated-endpoint';

/** What the shared route needs from the simulator that owns it. */
export interface ProviderRouteContext {
  readonly state: ProviderState;
  /** Aborted when the simulator stops: pending latencies end, closes are not client aborts. */
  readonly stopping: AbortSignal;
  capture(message: CapturedMessage): void;
  /** Records one request in the simulator's request log. */
  log(entry: LoggedRequest): void;
}

/**
 * Registers one provider's send route behind the shared fault step: count the request,
 * wait `latencyMs`, then hang, reset, fail, throttle, or let the provider's own checks
 * answer. Every provider behaves alike here; only the answers' shapes differ.
 */
export function registerProviderRoute(
  app: FastifyInstance,
  endpoint: SimulatedEndpoint,
  context: ProviderRouteContext,
): void {
  const { state, stopping } = context;
  // Responses the simulator closed itself (refuse): their close is not a client abort.
  const closedByUs = new WeakSet<ServerResponse>();

  app.post(endpoint.path, {
    onRequest: async (request, reply) => {
      state.requests += 1;
      openContractCheck(request, state.enforceContract);
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished && !closedByUs.has(reply.raw) && !stopping.aborted) {
          state.closedConnections += 1;
        }
      });
    },
    handler: async (request, reply) => {
      const receivedAt = new Date().toISOString();
      // Logged before the answer leaves, so a client that got it finds it in the log.
      const log = (status?: number) => {
        const { enforced, violations } = closeContractCheck(request);
        context.log({
          provider: endpoint.provider,
          receivedAt,
          ...(status === undefined ? {} : { status }),
          violations,
          enforced,
        });
      };
      const verdict = state.next();
      const { latencyMs, body } = state.behaviour;
      if (latencyMs > 0) {
        try {
          await sleep(latencyMs, undefined, { signal: stopping });
        } catch {
          log();
          return reply.hijack();
        }
      }
      if (reply.raw.destroyed) {
        log();
        return reply.hijack();
      }

      switch (verdict.kind) {
        case 'hang':
          // Never answered: the client's deadline, or the simulator's stop, closes it.
          log();
          return reply.hijack();
        case 'refuse': {
          log();
          closedByUs.add(reply.raw);
          reply.hijack();
          const socket: Socket = request.raw.socket;
          socket.resetAndDestroy();
          return reply;
        }
        case 'throttle': {
          const answer = endpoint.throttled(verdict.retryAfterSeconds);
          log(answer.status);
          return send(reply, answer);
        }
        case 'fail': {
          const answer =
            body === 'html' ? htmlFailure(verdict.status) : endpoint.failure(verdict.status);
          log(answer.status);
          return send(reply, answer);
        }
        case 'ok': {
          const { answer, accepted } = endpoint.send(request);
          if (accepted) {
            const notificationId = accepted.notificationId ?? headerNotificationId(request);
            context.capture({
              provider: endpoint.provider,
              receivedAt: new Date().toISOString(),
              ...accepted,
              ...(notificationId === undefined ? {} : { notificationId }),
              raw: request.body,
            });
          }
          log(answer.status);
          return send(reply, answer);
        }
      }
    },
  });
}

function headerNotificationId(request: FastifyRequest): string | undefined {
  const value = request.headers[NOTIFICATION_ID_HEADER];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function send(reply: FastifyReply, answer: ProviderAnswer): FastifyReply {
  void reply.status(answer.status).headers(answer.headers ?? {});
  if (answer.body === undefined) return reply.send();
  if (typeof answer.body === 'string') {
    return reply.type(answer.contentType ?? 'text/plain; charset=utf-8').send(answer.body);
  }
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(answer.body));
}
