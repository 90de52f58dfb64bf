import type { RedisServer } from './redis-server';
import { type Distribution, distribution } from './stats';

/** The fields of a Herald delivery attempt the timeline reads. */
interface TimedAttempt {
  readonly provider: string;
  readonly at: string;
  readonly outcome: string;
  readonly detail?: string;
  readonly latencyMs: number;
}

/** One job's BullMQ times and Herald's notification id. */
interface TimedJob {
  readonly timestamp: number;
  readonly processedOn: number;
  readonly finishedOn: number;
  readonly notificationId?: string;
}

/**
 * Where the time of the messages whose first call was abandoned as hung went, each phase in ms
 * from the run's first job queued (the onset of the hang): the hung call began, was abandoned,
 * the next provider's call began, it answered, the job finished.
 */
export interface HangTimeline {
  readonly messages: number;
  readonly hungCallBegan: Distribution;
  readonly abandoned: Distribution;
  readonly nextCallBegan: Distribution;
  readonly nextCallAnswered: Distribution;
  readonly finished: Distribution;
}

const HUNG = /^provider hung: /;

/** Reads the attempts of the jobs whose first call was abandoned as hung (one pipeline). */
export async function hangTimeline(
  redis: RedisServer,
  prefix: string,
  jobs: readonly TimedJob[],
): Promise<HangTimeline | undefined> {
  const withIds = jobs.filter((j) => j.notificationId !== undefined);
  if (withIds.length === 0) return undefined;
  const onset = Math.min(...jobs.map((j) => j.timestamp));
  const pipeline = redis.client.pipeline();
  for (const j of withIds) pipeline.lrange(`${prefix}:ntf:${j.notificationId}:attempts`, 0, -1);
  const replies = (await pipeline.exec()) ?? [];
  const rows: number[][] = [];
  withIds.forEach((job, i) => {
    const [err, raw] = replies[i]!;
    if (err) throw err;
    const list = (raw as string[]).map((a) => JSON.parse(a) as TimedAttempt);
    const hung = list.find((a) => a.detail !== undefined && HUNG.test(a.detail));
    const next = list.find((a) => a.outcome === 'sent');
    if (!hung || !next) return;
    const hungAt = Date.parse(hung.at) - onset;
    const nextAt = Date.parse(next.at) - onset;
    rows.push([
      hungAt,
      hungAt + hung.latencyMs,
      nextAt,
      nextAt + next.latencyMs,
      job.finishedOn - onset,
    ]);
  });
  if (rows.length === 0) return undefined;
  const column = (c: number) => distribution(rows.map((r) => r[c]!));
  return {
    messages: rows.length,
    hungCallBegan: column(0),
    abandoned: column(1),
    nextCallBegan: column(2),
    nextCallAnswered: column(3),
    finished: column(4),
  };
}
