import { randomUUID } from 'node:crypto';
import { DeliveryService } from '../../src/delivery/delivery.service';
import { ProviderBreakers } from '../../src/delivery/provider-breakers';
import { MAX_JSON_DEPTH } from '../../src/notifications/json-depth';
import type { NotificationMessage } from '../../src/notifications/notification-message.schema';
import { NotificationRecordsRepository } from '../../src/notifications/notification-records.repository';
import { DELIVER_JOB, SEND_JOB } from '../../src/queue/queue.constants';
import { isFinal, postNotification, waitForRecord, useDeliveryStack } from './delivery-fixture';

/** Slack blocks: one block whose `elements` nest `depth` arrays deep. */
function deepBlocks(depth: number): unknown[] {
  let v: unknown[] = [];
  for (let i = 1; i < depth; i += 1) v = [v];
  return [{ type: 'rich_text', elements: v }];
}

const chat = (extra: Record<string, unknown> = {}) => ({
  channel: 'chat',
  to: 'C0123456789',
  text: 'Deploy finished',
  ...extra,
});

/** A chat body whose blocks nest `depth` deep, as text: JSON.stringify itself recurses. */
function deepChatBody(depth: number): string {
  const body = JSON.stringify(chat({ blocks: [] }));
  const nested = `${'['.repeat(depth)}${']'.repeat(depth)}`;
  return body.replace('"blocks":[]', `"blocks":[{"type":"rich_text","elements":${nested}}]`);
}

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/v1/notifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe(DeliveryService.name, () => {
  const stack = useDeliveryStack();

  describe('when a chat message nests its blocks thousands deep', () => {
    it.each([
      ['3,000 deep', 3_000, {}],
      ['5,000 deep', 5_000, {}],
      ['3,000 deep with an Idempotency-Key', 3_000, { 'idempotency-key': 'deep-3000' }],
      ['10,000 deep with an Idempotency-Key', 10_000, { 'idempotency-key': 'deep-10000' }],
    ])('refuses it %s with 400 naming blocks', async (_, depth, headers) => {
      const answer = await post(stack.herald.url, deepChatBody(depth), headers);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({
        code: 'validation_failed',
        errors: [{ field: 'blocks', message: `is nested deeper than ${MAX_JSON_DEPTH} levels` }],
      });
    });

    it('fails a queue job carrying it at once, naming blocks', async () => {
      const job = await stack.producer.queue.add(SEND_JOB, chat({ blocks: deepBlocks(3_000) }));
      await expect(job.waitUntilFinished(stack.producer.events, 20_000)).rejects.toThrow(
        /blocks: is nested deeper than/,
      );
    });
  });

  describe('when a message that breaks the channel’s own code reaches a worker', () => {
    it('rejects that message alone: the breaker stays closed and the next message goes out', async () => {
      // Records as an older Herald, without the depth limit, accepted them: only the engine
      // stands between such a message and the Slack breaker.
      const records = stack.herald.app.get(NotificationRecordsRepository);
      const poison = chat({ blocks: deepBlocks(3_000) }) as unknown as NotificationMessage;
      const ids: string[] = [];
      for (let i = 0; i < 6; i += 1) {
        const id = randomUUID();
        await records.create({ id, caller: 'older-herald', message: poison });
        await stack.producer.queue.add(DELIVER_JOB, { notificationId: id }, { jobId: id });
        ids.push(id);
      }
      const failed = await Promise.all(
        ids.map((id) => waitForRecord(stack.herald.url, id, isFinal, 30_000)),
      );
      for (const record of failed) {
        expect(record.status).toBe('failed');
        expect(record.failure, JSON.stringify(record)).toMatchObject({ errorClass: 'rejected' });
        expect(record.attempts).toHaveLength(1);
        expect(record.attempts[0]).toMatchObject({ provider: 'slack', errorClass: 'rejected' });
      }
      expect(stack.herald.app.get(ProviderBreakers).state('slack')).toBe('closed');

      const normal = await postNotification(stack.herald.url, chat());
      const record = await waitForRecord(stack.herald.url, normal, isFinal, 20_000);
      expect(record.status).toBe('delivered');
      expect(record.attempts.map((a) => a.outcome)).toEqual(['sent']);
    });
  });
});
