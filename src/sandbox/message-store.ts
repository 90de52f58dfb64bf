import type { CapturedMessage, MessageFilter } from './captured-message';

/** The last `capacity` captured messages in a ring, so memory stays bounded however long it runs. */
export class MessageStore {
  private readonly ring: (CapturedMessage | undefined)[];
  /** Index the next message is written to. */
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`maxMessages must be a whole number ≥ 1, got ${capacity}`);
    }
    this.ring = new Array<CapturedMessage | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  add(message: CapturedMessage): void {
    this.ring[this.head] = message;
    this.head = (this.head + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /** Newest first. */
  list(filter: MessageFilter = {}): CapturedMessage[] {
    const to = filter.to?.toLowerCase();
    const found: CapturedMessage[] = [];
    for (let i = 1; i <= this.count; i += 1) {
      const m = this.ring[(this.head - i + this.capacity) % this.capacity]!;
      if (filter.provider !== undefined && m.provider !== filter.provider) continue;
      if (filter.notificationId !== undefined && m.notificationId !== filter.notificationId) {
        continue;
      }
      if (to !== undefined && !m.to.some((r) => r.toLowerCase() === to)) continue;
      found.push(m);
    }
    return found;
  }

  clear(): void {
    this.ring.fill(undefined);
    this.head = 0;
    this.count = 0;
  }
}
