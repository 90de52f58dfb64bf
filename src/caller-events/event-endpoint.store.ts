import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  CALLER_EVENT_KEYS,
  CALLER_EVENT_TYPES,
  type CallerEventType,
} from '../contracts/caller-event';
import { RedisService } from '../redis/redis.service';
import type { EventEndpointView } from './event-endpoint.schemas';

/** How long a rotated-out secret keeps signing events beside the new one. */
export const SECRET_OVERLAP_MS = 24 * 60 * 60 * 1000;

/** A caller's endpoint as Herald keeps it (secrets included: they sign every event). */
export interface EventEndpoint {
  readonly caller: string;
  readonly url: string;
  readonly events: readonly CallerEventType[];
  readonly secret: string;
  readonly previousSecret?: string;
  /** Epoch ms until which {@link previousSecret} still signs. */
  readonly previousSecretUntil?: number;
  /**
   * New on every PUT (time-based, so an endpoint deleted and created again does not reuse one):
   * a give-up decided for an older configuration does not disable a newer one.
   */
  readonly generation: number;
  readonly disabled?: { readonly at: string; readonly reason: string };
  /** Epoch ms of the last event the endpoint took. */
  readonly lastSuccessAtMs?: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Sets fields of an endpoint that still exists (never recreates a deleted one). */
const SET_IF_EXISTS = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
`;

/**
 * Rotates the secret: the current one becomes the previous (signing until ARGV[2], epoch ms).
 * ARGV: new secret, previous-until, now (ISO). Returns 1, or 0 when there is no endpoint.
 */
const ROTATE = `
local current = redis.call('HGET', KEYS[1], 'secret')
if not current then return 0 end
redis.call('HSET', KEYS[1], 'secret', ARGV[1], 'previousSecret', current,
  'previousSecretUntil', ARGV[2], 'updatedAt', ARGV[3])
return 1
`;

/**
 * Disables the endpoint after an event's whole retry schedule failed, unless it was
 * reconfigured since (another generation) or took an event since the failed one was queued.
 * ARGV: generation, queued at (epoch ms), now (ISO), reason. Returns 1 when disabled now.
 */
const DISABLE = `
local f = redis.call('HMGET', KEYS[1], 'generation', 'lastSuccessAtMs', 'disabledAt')
if f[1] ~= ARGV[1] or f[3] then return 0 end
if f[2] and tonumber(f[2]) >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'disabledAt', ARGV[3], 'disabledReason', ARGV[4])
return 1
`;

type Script = (...args: (string | number)[]) => Promise<unknown>;

/**
 * Callers' event endpoints, one Redis hash per caller (`<prefix>:cevt:ep:<caller>`), kept
 * until deleted. The lifecycle scripts check that hash exists before writing an event to the
 * outbox, so a caller without an endpoint costs nothing.
 */
@Injectable()
export class EventEndpointStore {
  private readonly scripts: Record<'setIfExists' | 'rotate' | 'disable', Script>;

  constructor(private readonly redis: RedisService) {
    const define = (name: string, lua: string): Script => {
      redis.client.defineCommand(name, { numberOfKeys: 1, lua });
      return (...args) => (redis.client as unknown as Record<string, Script>)[name]!(...args);
    };
    this.scripts = {
      setIfExists: define('heraldCevtSetIfExists', SET_IF_EXISTS),
      rotate: define('heraldCevtRotate', ROTATE),
      disable: define('heraldCevtDisable', DISABLE),
    };
  }

  key(caller: string): string {
    return this.redis.key(CALLER_EVENT_KEYS.endpoint, caller);
  }

  async get(caller: string): Promise<EventEndpoint | undefined> {
    const f = await this.redis.client.hgetall(this.key(caller));
    if (!f.secret || !f.url) return undefined;
    return {
      caller,
      url: f.url,
      events: (f.events ?? '').split(',').filter(Boolean) as CallerEventType[],
      secret: f.secret,
      ...(f.previousSecret ? { previousSecret: f.previousSecret } : {}),
      ...(f.previousSecretUntil ? { previousSecretUntil: Number(f.previousSecretUntil) } : {}),
      generation: Number(f.generation ?? 0),
      ...(f.disabledAt ? { disabled: { at: f.disabledAt, reason: f.disabledReason ?? '' } } : {}),
      ...(f.lastSuccessAtMs ? { lastSuccessAtMs: Number(f.lastSuccessAtMs) } : {}),
      createdAt: f.createdAt ?? '',
      updatedAt: f.updatedAt ?? '',
    };
  }

  /**
   * Creates or replaces the caller's endpoint, enabled. Answers the endpoint and, when this
   * call created it, its new secret (an existing endpoint keeps its secret).
   */
  async put(
    caller: string,
    url: string,
    events: readonly CallerEventType[] = CALLER_EVENT_TYPES,
  ): Promise<{ endpoint: EventEndpoint; createdSecret?: string }> {
    const key = this.key(caller);
    const now = new Date().toISOString();
    const secret = newSecret();
    const [[, created]] = (await this.redis.client
      .multi()
      .hsetnx(key, 'secret', secret)
      .hsetnx(key, 'createdAt', now)
      .hset(key, 'url', url, 'events', events.join(','), 'updatedAt', now)
      .hset(key, 'generation', newGeneration())
      .hdel(key, 'disabledAt', 'disabledReason')
      .exec()) as [[Error | null, number]];
    await this.markShards(caller, true);
    const endpoint = await this.get(caller);
    if (!endpoint) throw new Error('event endpoint vanished while being written');
    return created === 1 ? { endpoint, createdSecret: secret } : { endpoint };
  }

  /** Removes the caller's endpoint; events not yet posted are dropped. False when none. */
  async delete(caller: string): Promise<boolean> {
    const deleted = (await this.redis.client.del(this.key(caller))) === 1;
    await this.markShards(caller, false);
    return deleted;
  }

  /**
   * With several notification shards, sets (or removes) the caller's mark on each: the
   * lifecycle scripts add an event to their shard's outbox only when the caller has an
   * endpoint, and may read only keys of their own shard (one cluster slot), so the mark sits
   * where the endpoint itself sits with one shard (`<shard prefix>:cevt:ep:<caller>`).
   */
  private async markShards(caller: string, present: boolean): Promise<void> {
    const { shards } = this.redis;
    if (shards.count === 1) return;
    await Promise.all(
      shards.all.map((shard) => {
        const mark = shards.key(shard, CALLER_EVENT_KEYS.endpoint, caller);
        return present ? this.redis.client.set(mark, '1') : this.redis.client.del(mark);
      }),
    );
  }

  /** A new secret; the old one signs too for {@link SECRET_OVERLAP_MS}. Undefined: no endpoint. */
  async rotateSecret(
    caller: string,
  ): Promise<{ secret: string; previousSecretValidUntil: string } | undefined> {
    const secret = newSecret();
    const until = Date.now() + SECRET_OVERLAP_MS;
    const r = await this.scripts.rotate(this.key(caller), secret, until, new Date().toISOString());
    return r === 1
      ? { secret, previousSecretValidUntil: new Date(until).toISOString() }
      : undefined;
  }

  /** The endpoint took an event. */
  async markSuccess(caller: string): Promise<void> {
    await this.scripts.setIfExists(this.key(caller), 'lastSuccessAtMs', Date.now());
  }

  /** See {@link DISABLE}. True when this call disabled the endpoint. */
  async disable(
    caller: string,
    generation: number,
    queuedAtMs: number,
    reason: string,
  ): Promise<boolean> {
    const r = await this.scripts.disable(
      this.key(caller),
      generation,
      queuedAtMs,
      new Date().toISOString(),
      reason,
    );
    return r === 1;
  }
}

/** The secrets that sign an event now: the current one, and a rotated-out one still in its overlap. */
export function signingSecrets(endpoint: EventEndpoint, now = Date.now()): string[] {
  return endpoint.previousSecret !== undefined && (endpoint.previousSecretUntil ?? 0) > now
    ? [endpoint.secret, endpoint.previousSecret]
    : [endpoint.secret];
}

/** The endpoint as the API shows it: never a secret. */
export function viewOf(endpoint: EventEndpoint, now = Date.now()): EventEndpointView {
  return {
    caller: endpoint.caller,
    url: endpoint.url,
    events: [...endpoint.events],
    state: endpoint.disabled ? 'disabled' : 'enabled',
    ...(endpoint.disabled ? { disabled: { ...endpoint.disabled } } : {}),
    ...(endpoint.previousSecretUntil !== undefined && endpoint.previousSecretUntil > now
      ? { previousSecretValidUntil: new Date(endpoint.previousSecretUntil).toISOString() }
      : {}),
    createdAt: endpoint.createdAt,
    updatedAt: endpoint.updatedAt,
  };
}

/**
 * A Standard Webhooks secret: `whsec_` and 32 random bytes in base64 (the specification asks
 * for 24 to 64 bytes).
 */
function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** Microseconds-ish since the epoch: larger than every earlier generation, unique in practice. */
function newGeneration(): number {
  return Date.now() * 1000 + Math.floor(Math.random() * 1000);
}
