import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

/**
 * `npm run test:cluster`: the end-to-end specs of Herald's core work against a three-master
 * Redis Cluster the global setup starts on free ports (the same specs run against one
 * redis-server in `npm test`; they hold for any HERALD_QUEUE_SHARDS). Specs reach the cluster through `testEnv` and
 * `test/support/test-redis.ts`: Herald gets REDIS_CLUSTER_NODES, a hash-tag prefix and
 * HERALD_QUEUE_SHARDS; a spec's own reads use a cluster client.
 *
 * Left out, each for a reason of its own:
 * - specs that stop, freeze (SIGSTOP), restart or reconfigure (CONFIG SET, REPLICAOF) the one
 *   redis-server they start: redis-restart, redis-read-only, redis-outage (both),
 *   redis-refusals, worker-lifecycle, health. A master's death on a cluster is covered by
 *   test/operator/redis-cluster.e2e.spec.ts (in `npm test`) and `npm run bench:cluster-chaos`.
 * - specs of one feature beside the core (templates, suppression, provider events, caller
 *   events, metrics…): they reach Redis through the same clients as the specs below, and the
 *   cluster run is held to about three minutes of CI.
 */
const CORE_SPECS = [
  // accept
  'test/notifications/notifications-api.e2e.spec.ts',
  'test/notifications/queue-producer.e2e.spec.ts',
  // idempotency
  'test/idempotency/idempotency.e2e.spec.ts',
  'test/idempotency/idempotency-delivery.e2e.spec.ts',
  // delivery and provider failover
  'test/delivery/message-life.e2e.spec.ts',
  'test/delivery/failover.e2e.spec.ts',
  // retry
  'test/delivery/retry.e2e.spec.ts',
  // crash recovery
  'test/delivery/crash-recovery.e2e.spec.ts',
  // list and cancel
  'test/notifications/list.e2e.spec.ts',
  'test/notifications/cancel.e2e.spec.ts',
];

export default defineConfig({
  test: {
    globals: true,
    globalSetup: ['test/support/global-setup-cluster.ts'],
    projects: [
      {
        // esbuild emits no decorator metadata, which NestJS's dependency injection needs; SWC does.
        plugins: [swc.vite({ module: { type: 'es6' } })],
        test: {
          name: 'cluster',
          include: CORE_SPECS,
          globals: true,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
