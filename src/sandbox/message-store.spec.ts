import type { CapturedMessage } from './captured-message';
import { MessageStore } from './message-store';

const message = (id: string, overrides: Partial<CapturedMessage> = {}): CapturedMessage => ({
  id,
  provider: 'sendgrid',
  receivedAt: new Date().toISOString(),
  to: ['ada@example.com'],
  raw: {},
  ...overrides,
});

describe(MessageStore.name, () => {
  it('keeps the last `capacity` messages, newest first', () => {
    const store = new MessageStore(3);
    for (const id of ['1', '2', '3', '4', '5']) store.add(message(id));

    expect(store.list().map((m) => m.id)).toEqual(['5', '4', '3']);
    expect(store.size).toBe(3);
  });

  it('filters by provider, recipient (any case) and notification id', () => {
    const store = new MessageStore(10);
    store.add(message('1', { provider: 'ses', notificationId: 'n1' }));
    store.add(message('2', { to: ['alan@example.com'] }));
    store.add(message('3'));

    expect(store.list({ provider: 'ses' }).map((m) => m.id)).toEqual(['1']);
    expect(store.list({ to: 'ADA@example.com' }).map((m) => m.id)).toEqual(['3', '1']);
    expect(store.list({ notificationId: 'n1' }).map((m) => m.id)).toEqual(['1']);
  });

  it('forgets everything on clear', () => {
    const store = new MessageStore(2);
    store.add(message('1'));
    store.clear();
    store.add(message('2'));

    expect(store.list().map((m) => m.id)).toEqual(['2']);
  });

  it('refuses a capacity below one', () => {
    expect(() => new MessageStore(0)).toThrow(RangeError);
  });
});
