import { lookup } from 'node:dns';
import { Cluster, Redis } from 'ioredis';
import { createRedisClient } from './redis-client.factory';

describe(createRedisClient.name, () => {
  const clients: (Redis | Cluster)[] = [];
  afterEach(() => {
    for (const c of clients.splice(0)) c.disconnect();
  });
  const make = (...args: Parameters<typeof createRedisClient>) => {
    const client = createRedisClient(...args);
    clients.push(client);
    return client;
  };

  describe('when no cluster is configured', () => {
    it('makes a plain client from REDIS_URL with the options asked for', () => {
      const client = make(
        { url: 'rediss://app:s3cret@cache:6380/2' },
        { lazyConnect: true, connectionName: 'herald', enableOfflineQueue: false },
      );
      expect(client).toBeInstanceOf(Redis);
      expect((client as Redis).options).toMatchObject({
        host: 'cache',
        port: 6380,
        db: 2,
        username: 'app',
        password: 's3cret',
        tls: {},
        connectionName: 'herald',
        enableOfflineQueue: false,
      });
    });
  });

  describe('when a cluster is configured', () => {
    const cluster = {
      nodes: [
        { host: 'redis-1', port: 7000 },
        { host: 'redis-2', port: 7001 },
      ],
      tls: true,
      username: 'herald',
      password: 's3cret',
      natMap: { '172.17.0.2:6379': { host: '127.0.0.1', port: 7000 } },
    };
    const retryStrategy = (times: number) => times * 10;

    it('makes a cluster client: cluster-wide options on it, the rest on every node', () => {
      const client = make(
        { url: 'redis://127.0.0.1:6379', cluster },
        {
          lazyConnect: true,
          retryStrategy,
          enableOfflineQueue: false,
          enableAutoPipelining: true,
          maxRetriesPerRequest: 1,
          commandTimeout: 1000,
          connectionName: 'herald',
        },
      );
      expect(client).toBeInstanceOf(Cluster);
      const c = client as Cluster;
      expect(c.options).toMatchObject({
        clusterRetryStrategy: retryStrategy,
        enableOfflineQueue: false,
        enableAutoPipelining: true,
        natMap: cluster.natMap,
      });
      expect(c.options.redisOptions).toEqual({
        maxRetriesPerRequest: 1,
        commandTimeout: 1000,
        connectionName: 'herald',
        username: 'herald',
        password: 's3cret',
        tls: {},
      });
    });

    it('reaches nodes by name under TLS, so their certificates match', async () => {
      const client = make({ url: 'redis://127.0.0.1:6379', cluster }, { lazyConnect: true });
      const lookup = (client as Cluster).options.dnsLookup!;
      const address = await new Promise((resolve) =>
        lookup('clustercfg.example.cache.amazonaws.com', (_err, a) => resolve(a)),
      );
      expect(address).toBe('clustercfg.example.cache.amazonaws.com');
    });

    it('leaves name resolution to ioredis, and adds no TLS or auth, when not asked', () => {
      const plain = { ...cluster, tls: false, username: undefined, password: undefined };
      const client = make({ url: 'redis://127.0.0.1:6379', cluster: plain }, { lazyConnect: true });
      expect((client as Cluster).options.dnsLookup).toBe(lookup);
      expect((client as Cluster).options.redisOptions).toEqual({});
    });
  });
});
