import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';

/**
 * The logger of the request being handled: the root logger's child bound to the request (its
 * `req` field: id, method, path), as nestjs-pino's middleware bound it. The child is made on the
 * first line the request logs, not when the request arrives: making it serialises and redacts
 * the request, and at `warn` most requests log nothing at all.
 */
export class RequestLogScope {
  private static readonly storage = new AsyncLocalStorage<RequestLogScope>();
  private child?: Logger;
  /** When the request arrived (epoch ms), for the `responseTime` of its closing line. */
  readonly startedAt = Date.now();

  constructor(
    private readonly root: Logger,
    private readonly request: IncomingMessage,
    private readonly id: string,
  ) {}

  /** The scope of the request whose work is running now, if any. */
  static current(): RequestLogScope | undefined {
    return RequestLogScope.storage.getStore();
  }

  /** Runs `next` (and everything it starts) in `scope`. */
  static run(scope: RequestLogScope, next: () => void): void {
    RequestLogScope.storage.run(scope, next);
  }

  /** The request's logger, every line bound to the request. */
  get logger(): Logger {
    if (this.child === undefined) {
      // The request serializer reads the id from the request, as pino-http set it.
      this.request.id = this.id;
      this.child = this.root.child({ req: this.request });
    }
    return this.child;
  }
}
