import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { Queue } from 'bullmq';
import {
  CALLER_EVENT_KEYS,
  CALLER_EVENT_STATUSES,
  type CallerEventStatus,
} from '../contracts/caller-event';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { MetricsService } from '../metrics/metrics.service';
import { NotificationRecordsRepository } from '../notifications/notification-records.repository';
import { isRedisUnavailable } from '../redis/redis-errors';
import type { RedisClient } from '../redis/redis-client.factory';
import { RedisService } from '../redis/redis.service';
import { callerEventPayload } from './caller-event-payload';
import {
  CALLER_EVENT_BACKOFF,
  CALLER_EVENTS_QUEUE,
  type CallerEventJobData,
  callerEventId,
} from './caller-events.queue';
import { EventEndpointStore } from './event-endpoint.store';

/** The consumer group every relay process reads the outbox in. */
const GROUP = 'relay';
/** Entries taken per read. */
const BATCH = 100;
/** Milliseconds a read waits for new entries (and so the longest a stop waits for the loop). */
const BLOCK_MS = 1_000;
/** Milliseconds an entry another relay took may stay unacknowledged before this one takes it over. */
const CLAIM_IDLE_MS = 30_000;
/** Milliseconds between two looks for such entries. */
const CLAIM_EVERY_MS = 10_000;
/** Seconds a posted event's job (and so its id) stays: a relay re-run within it queues nothing. */
const DONE_JOB_RETENTION_SECONDS = 86_400;

type StreamEntry = [id: string, fields: string[]];

/** The relay's work on one notification shard's outbox. */
interface Lane {
  readonly outbox: string;
  /** Its blocking reads' own connection, once started. */
  connection?: RedisClient;
  nextClaimAt: number;
  /** Whether the last thing heard from Redis was an error. */
  failing: boolean;
}

/**
 * Moves the caller-events outbox (a Redis stream the lifecycle scripts append to in the same
 * step as each caller-visible status change) into the `caller-events` BullMQ queue. Entries
 * are read in a consumer group and deleted only once their job is queued (its id is the event
 * id, so queuing it twice is a no-op); an entry whose relay died mid-way is taken over by
 * another relay after {@link CLAIM_IDLE_MS}. An entry whose caller has no enabled endpoint
 * subscribed to its type is dropped here, at the cost of one read.
 */
@Injectable()
export class CallerEventRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CallerEventRelay.name);
  private readonly consumer = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  /** One per notification shard: each shard's lifecycle scripts write an outbox of its own. */
  private readonly lanes: Lane[];
  private queue?: Queue<CallerEventJobData>;
  private loop?: Promise<void>;
  private stopping = false;

  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    private readonly redis: RedisService,
    private readonly endpoints: EventEndpointStore,
    private readonly records: NotificationRecordsRepository,
    private readonly metrics: MetricsService,
  ) {
    this.lanes = redis.shards.all.map((shard) => ({
      outbox: redis.shards.key(shard, CALLER_EVENT_KEYS.outbox),
      nextClaimAt: 0,
      failing: false,
    }));
  }

  /**
   * Starts once Redis first answers, like the workers: a BullMQ queue that never connected
   * cannot be closed (its `close()` waits for the connection), which would hold shutdown.
   */
  onApplicationBootstrap(): void {
    if (this.redis.client.status === 'ready') this.start();
    else this.redis.client.once('ready', this.startOnce);
  }

  private readonly startOnce = () => this.start();

  private start(): void {
    if (this.loop || this.stopping) return;
    // A blocking read needs a connection of its own, patient while Redis is away: one per
    // shard's outbox (on a cluster they sit on different masters).
    for (const lane of this.lanes) {
      lane.connection = this.redis.createClient({
        connectionName: 'herald-caller-event-relay',
        maxRetriesPerRequest: null,
      });
      lane.connection.on('error', () => undefined);
    }
    this.queue = new Queue<CallerEventJobData>(CALLER_EVENTS_QUEUE, {
      connection: this.redis.connectionOptions({ connectionName: 'herald-caller-events' }),
      prefix: this.config.queue.prefix,
    });
    this.queue.on('error', () => undefined);
    this.loop = Promise.all(this.lanes.map((lane) => this.run(lane))).then(() => undefined);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    this.redis.client.off('ready', this.startOnce);
    if (!this.loop) return;
    await this.loop;
    await Promise.all(this.lanes.map((lane) => this.leaveGroup(lane).catch(() => undefined)));
    // Past the grace period (Redis gone again) the process goes on without a clean close.
    const grace = new Promise<void>((resolve) =>
      setTimeout(resolve, this.config.shutdownGraceMs).unref(),
    );
    await Promise.race([this.queue?.close().catch(() => undefined), grace]);
    for (const lane of this.lanes) lane.connection?.disconnect();
  }

  /**
   * Removes this relay's consumer from the group when it holds no entry, so restarts do not
   * pile up consumers; one that still holds some stays, for another relay to claim them.
   */
  private async leaveGroup(lane: Lane): Promise<void> {
    const c = lane.connection;
    if (!c || c.status !== 'ready') return;
    const held = (await c.xpending(lane.outbox, GROUP, '-', '+', 1, this.consumer)) as unknown[];
    if (held.length === 0) await c.xgroup('DELCONSUMER', lane.outbox, GROUP, this.consumer);
  }

  private async run(lane: Lane): Promise<void> {
    let grouped = false;
    while (!this.stopping) {
      try {
        if (!grouped) grouped = await this.createGroup(lane);
        const entries =
          (await this.pending(lane)) ?? (await this.claimed(lane)) ?? (await this.fresh(lane));
        for (const entry of entries) await this.relay(lane, entry);
        if (lane.failing) this.logger.log('caller-event relay reaches Redis again');
        lane.failing = false;
      } catch (err) {
        if (!lane.failing) {
          this.logger.warn(
            { err: { message: (err as Error).message } },
            'caller-event relay cannot work the outbox; it keeps trying',
          );
        }
        lane.failing = true;
        await sleep(BLOCK_MS);
      }
    }
  }

  private async createGroup(lane: Lane): Promise<boolean> {
    try {
      await lane.connection!.xgroup('CREATE', lane.outbox, GROUP, '0', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
    return true;
  }

  /** This relay's own entries not yet acknowledged (a relay error mid-batch), if any. */
  private async pending(lane: Lane): Promise<StreamEntry[] | undefined> {
    const entries = await this.read(lane, '0');
    return entries.length > 0 ? entries : undefined;
  }

  /** Entries a relay that died left unacknowledged, now and then. */
  private async claimed(lane: Lane): Promise<StreamEntry[] | undefined> {
    if (Date.now() < lane.nextClaimAt) return undefined;
    lane.nextClaimAt = Date.now() + CLAIM_EVERY_MS;
    const [, entries] = (await lane.connection!.xautoclaim(
      lane.outbox,
      GROUP,
      this.consumer,
      CLAIM_IDLE_MS,
      '0-0',
      'COUNT',
      BATCH,
    )) as [string, (StreamEntry | null)[]];
    const live = entries.filter((e): e is StreamEntry => e !== null);
    return live.length > 0 ? live : undefined;
  }

  private async fresh(lane: Lane): Promise<StreamEntry[]> {
    return this.read(lane, '>', BLOCK_MS);
  }

  private async read(lane: Lane, from: '0' | '>', blockMs?: number): Promise<StreamEntry[]> {
    const c = lane.connection!;
    const reply =
      blockMs === undefined
        ? await c.xreadgroup(
            'GROUP',
            GROUP,
            this.consumer,
            'COUNT',
            BATCH,
            'STREAMS',
            lane.outbox,
            from,
          )
        : await c.xreadgroup(
            'GROUP',
            GROUP,
            this.consumer,
            'COUNT',
            BATCH,
            'BLOCK',
            blockMs,
            'STREAMS',
            lane.outbox,
            from,
          );
    const streams = reply as [string, StreamEntry[]][] | null;
    return streams?.[0]?.[1] ?? [];
  }

  private async relay(lane: Lane, [streamId, list]: StreamEntry): Promise<void> {
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < list.length; i += 2) fields[list[i]!] = list[i + 1]!;
    const { n: notificationId, c: caller, s: status, t: at } = fields;
    if (
      notificationId &&
      caller &&
      CALLER_EVENT_STATUSES.includes(status as CallerEventStatus) &&
      at
    ) {
      await this.enqueue(streamId, notificationId, caller, status as CallerEventStatus, Number(at));
    }
    await lane
      .connection!.multi()
      .xack(lane.outbox, GROUP, streamId)
      .xdel(lane.outbox, streamId)
      .exec();
  }

  private async enqueue(
    streamId: string,
    notificationId: string,
    caller: string,
    status: CallerEventStatus,
    atMs: number,
  ): Promise<void> {
    const type = `notification.${status}` as const;
    const endpoint = await this.endpoints.get(caller);
    if (!endpoint || endpoint.disabled || !endpoint.events.includes(type)) {
      this.metrics.callerEvents.inc({ type, outcome: 'dropped' });
      return;
    }
    const eventId = callerEventId(notificationId, streamId);
    const record = await this.records.get(notificationId).catch((err: unknown) => {
      // Redis away: the entry stays and is tried again. A record that cannot be read (not
      // JSON) must not hold up every later event: the event goes without its details.
      if (isRedisUnavailable(err)) throw err;
      return undefined;
    });
    const payload = callerEventPayload(eventId, status, new Date(atMs), notificationId, record);
    const schedule = this.config.callerEvents.retryScheduleMs;
    await this.queue!.add(
      type,
      {
        eventId,
        caller,
        type,
        notificationId,
        generation: endpoint.generation,
        payload: JSON.stringify(payload),
      },
      {
        jobId: eventId,
        attempts: schedule.length + 1,
        backoff: { type: CALLER_EVENT_BACKOFF },
        removeOnComplete: { age: DONE_JOB_RETENTION_SECONDS },
        removeOnFail: { age: this.config.records.ttlSeconds },
      },
    );
  }
}
