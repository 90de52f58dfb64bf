import { isRedisUnavailable, redisUnavailableReason } from './redis-errors';

/** An error as ioredis hands a Redis error reply over: a ReplyError carrying the reply's text. */
const reply = (message: string) => Object.assign(new Error(message), { name: 'ReplyError' });

describe(redisUnavailableReason.name, () => {
  describe('when Redis answers with an error reply that means it cannot take the work now', () => {
    it.each([
      ["OOM command not allowed when used memory > 'maxmemory'.", 'out_of_memory'],
      [
        "OOM command not allowed when used memory > 'maxmemory'. script: 3f2a, on @user_script:4.",
        'out_of_memory',
      ],
      ["READONLY You can't write against a read only replica.", 'read_only'],
      [
        "READONLY You can't write against a read only replica. script: 3f2a, on @user_script:2.",
        'read_only',
      ],
      [
        "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
        'read_only',
      ],
      ['NOREPLICAS Not enough good replicas to write.', 'read_only'],
      ['CLUSTERDOWN The cluster is down', 'cluster_unavailable'],
      ['CLUSTERDOWN Hash slot not served', 'cluster_unavailable'],
      ['TRYAGAIN Multiple keys request during rehashing of slot', 'cluster_unavailable'],
      ['MOVED 3999 127.0.0.1:6381', 'cluster_unavailable'],
      ['ASK 3999 127.0.0.1:6381', 'cluster_unavailable'],
      ["CROSSSLOT Keys in request don't hash to the same slot", 'cross_slot'],
      [
        'ERR Script attempted to access a non local key in a cluster node script: 3f2a, on @user_script:1.',
        'cross_slot',
      ],
      ['LOADING Redis is loading the dataset in memory', 'loading'],
      [
        'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSCRIPT.',
        'loading',
      ],
    ])('classifies "%s" as %s', (message, reason) => {
      expect(redisUnavailableReason(reply(message))).toBe(reason);
    });
  });

  describe('when the client itself gives up', () => {
    it.each([
      ['Connection is closed.', 'unreachable'],
      ["Stream isn't writeable and enableOfflineQueue options is false", 'unreachable'],
      ['Command timed out', 'unreachable'],
      ["Cluster isn't ready and enableOfflineQueue options is false", 'unreachable'],
      ['None of startup nodes is available', 'unreachable'],
      ['Cluster is disconnected.', 'unreachable'],
      ['Failed to refresh slots cache.', 'cluster_unavailable'],
      [
        'Too many Cluster redirections. Last error: MOVED 3999 127.0.0.1:6381',
        'cluster_unavailable',
      ],
      ['All keys in the pipeline should belong to the same slot', 'cross_slot'],
    ])('classifies "%s" as %s', (message, reason) => {
      expect(redisUnavailableReason(new Error(message))).toBe(reason);
    });

    it('classifies a refused connection and the retry limit as unreachable', () => {
      const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
        code: 'ECONNREFUSED',
      });
      const retries = Object.assign(new Error('Reached the max retries per request limit'), {
        name: 'MaxRetriesPerRequestError',
      });
      expect(redisUnavailableReason(refused)).toBe('unreachable');
      expect(redisUnavailableReason(retries)).toBe('unreachable');
    });
  });

  describe('when a MULTI is discarded', () => {
    it('finds the reason in the errors of the commands it held', () => {
      const execAbort = Object.assign(
        reply('EXECABORT Transaction discarded because of previous errors.'),
        { previousErrors: [reply("CROSSSLOT Keys in request don't hash to the same slot")] },
      );
      expect(redisUnavailableReason(execAbort)).toBe('cross_slot');
    });
  });

  describe('when the error is not about Redis being able to work', () => {
    it.each([
      ["ERR wrong number of arguments for 'hset' command"],
      ['WRONGTYPE Operation against a key holding the wrong kind of value'],
      ['BUSYGROUP Consumer Group name already exists'],
      ['NOSCRIPT No matching script. Please use EVAL.'],
      ['Cannot read properties of undefined'],
    ])('leaves "%s" alone', (message) => {
      expect(redisUnavailableReason(reply(message))).toBeUndefined();
      expect(isRedisUnavailable(reply(message))).toBe(false);
    });

    it('leaves values that are not errors alone', () => {
      expect(isRedisUnavailable('OOM command not allowed')).toBe(false);
      expect(isRedisUnavailable(undefined)).toBe(false);
    });
  });
});
