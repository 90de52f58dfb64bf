import { Client } from '@sendgrid/client';
import type { ClientRequest } from '@sendgrid/client/src/request';
import { ProviderRequestContext } from './provider-request-context';

/**
 * A @sendgrid/client `Client` whose requests can be aborted. `Client.request()` copies only
 * url, method, body, query and headers into its axios options, so a per-call `signal`
 * cannot be passed through `MailService.send()`; this subclass adds the current send's
 * signal (see {@link ProviderRequestContext}) to the axios options it builds, so the
 * deadline aborts the HTTP request itself and closes its connection.
 */
export class AbortableSendgridClient extends Client {
  override createRequest(data: ClientRequest): ClientRequest {
    const options = super.createRequest(data);
    const current = ProviderRequestContext.current();
    return current ? ({ ...options, signal: current.signal } as ClientRequest) : options;
  }
}
