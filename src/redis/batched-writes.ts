import type { Writable } from 'node:stream';
import type { RedisClient } from './redis-client.factory';

/** A client whose socket can be held: ioredis's `Redis` (a `Cluster` has none of its own). */
export interface SocketClient {
  readonly stream?: Writable;
}

/**
 * Holds the writes of `client`'s socket until the event loop's check phase, so every command
 * issued in this turn of the loop — by every HTTP request whose bytes arrived in it — leaves in
 * one write instead of one system call each (at intake's rate, the writes were the largest
 * single cost of the API's main thread). The commands stay separate: each keeps its own reply,
 * timeout and error, unlike an ioredis pipeline or auto-pipeline. A client without a socket of
 * its own (a cluster client, or one not connected) is left as it is.
 */
export function batchWrites(client: SocketClient | RedisClient): void {
  const stream = 'stream' in client ? client.stream : undefined;
  if (stream === undefined || stream.writableCorked > 0) return;
  stream.cork();
  setImmediate(() => stream.uncork());
}
