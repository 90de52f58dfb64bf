import { createHash, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { QueueShards, idOnShard, shardOfId, shardOfKey, shardPrefixes } from './queue-shards';

/** The cluster slot of a key, as ioredis computes it (its own dependency, untyped). */
const calculateSlot = createRequire(__filename)('cluster-key-slot') as (key: string) => number;

describe(QueueShards.name, () => {
  describe('when there is one shard', () => {
    const shards = new QueueShards('herald', 1);

    it('keeps the configured prefix, so key names stay those Herald always had', () => {
      expect(shards.prefixes).toEqual(['herald']);
      expect(shards.key(0, 'ntf', 'abc')).toBe('herald:ntf:abc');
    });

    it('puts every id and every key on shard 0', () => {
      expect(shards.ofId(randomUUID())).toBe(0);
      expect(shards.ofKey('order-1')).toBe(0);
      expect(shards.newId(0)).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('when there are several shards', () => {
    it('gives each shard its own hash tag, derived from the prefix', () => {
      expect(shardPrefixes('{herald}', 3)).toEqual(['{herald-0}', '{herald-1}', '{herald-2}']);
      expect(shardPrefixes('app:{h}:x', 2)).toEqual(['app:{h-0}:x', 'app:{h-1}:x']);
      expect(shardPrefixes('herald', 2)).toEqual(['{herald-0}', '{herald-1}']);
    });

    it('puts each shard in a slot of its own on a cluster', () => {
      const slots = shardPrefixes('{herald}', 6).map((p) => calculateSlot(`${p}:ntf:x`));
      expect(new Set(slots).size).toBe(6);
    });

    it('spreads the default tag evenly over a three-master cluster at 3 and 6 shards', () => {
      for (const count of [3, 6]) {
        const masters = shardPrefixes('{herald}', count).map((p) =>
          Math.floor((calculateSlot(p) * 3) / 16_384),
        );
        for (const master of [0, 1, 2]) {
          expect(masters.filter((m) => m === master)).toHaveLength(count / 3);
        }
      }
    });
  });
});

describe(shardOfKey.name, () => {
  it("is the first 8 hex digits of the key's SHA-256, mod the shard count", () => {
    const digest = createHash('sha256').update('order-42').digest('hex');
    expect(shardOfKey('order-42', 7)).toBe(Number.parseInt(digest.slice(0, 8), 16) % 7);
  });

  it('spreads keys over every shard', () => {
    const seen = new Set(Array.from({ length: 200 }, (_, i) => shardOfKey(`k${i}`, 4)));
    expect([...seen].sort()).toEqual([0, 1, 2, 3]);
  });
});

describe(shardOfId.name, () => {
  it('is the last 8 hex digits of the id, mod the shard count', () => {
    expect(shardOfId('6f1c2a9e-0000-4000-8000-00000000000b', 4)).toBe(11 % 4);
    expect(shardOfId('6f1c2a9e-0000-4000-8000-0000ffffffff', 3)).toBe(0xffffffff % 3);
  });

  describe('when the id is not a UUID', () => {
    it('still names a shard, so a lookup finds nothing instead of failing', () => {
      expect(shardOfId('zzz', 5)).toBe(0);
    });
  });
});

describe(idOnShard.name, () => {
  it('sets the last 8 hex digits of one draw to the value on the shard in their run of values', () => {
    expect(idOnShard(1, 4, () => '6f1c2a9e-0000-4000-8000-00000000000b')).toBe(
      '6f1c2a9e-0000-4000-8000-000000000009',
    );
    expect(idOnShard(3, 4, () => '6f1c2a9e-0000-4000-8000-000000000008')).toBe(
      '6f1c2a9e-0000-4000-8000-00000000000b',
    );
  });

  it('stays within 8 hex digits at the top of their range', () => {
    // 0xffffffff is 0 mod 3: shard 2 would be 0x100000001, so it takes the value below.
    const id = idOnShard(2, 3, () => '6f1c2a9e-0000-4000-8000-0000ffffffff');
    expect(id).toBe('6f1c2a9e-0000-4000-8000-0000fffffffe');
    expect(shardOfId(id, 3)).toBe(2);
  });

  it('gives random v4 UUIDs on every shard asked for', () => {
    for (const count of [2, 6, 64]) {
      for (let shard = 0; shard < count; shard++) {
        const id = idOnShard(shard, count);
        expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(shardOfId(id, count)).toBe(shard);
      }
    }
    expect(idOnShard(1, 2)).not.toBe(idOnShard(1, 2));
  });
});
