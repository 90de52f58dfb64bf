/**
 * The part of notifme-sdk the failover peer uses. The package ships Flow types only
 * (lib/*.js.flow); these follow lib/index.js.flow and lib/models/*.js.flow of 1.16.
 */
declare module 'notifme-sdk' {
  /** What a provider's `send` receives: the request's `metadata` spread over its `email`. */
  export interface NotifmeEmailRequest {
    id?: string;
    from: string;
    to: string;
    subject: string;
    text?: string;
    html?: string;
  }

  export interface NotifmeCustomEmailProvider {
    type: 'custom';
    id: string;
    /** Resolves to the provider's message id. */
    send(request: NotifmeEmailRequest): Promise<string>;
  }

  export interface NotifmeOptions {
    channels: {
      email: {
        multiProviderStrategy: 'fallback' | 'roundrobin' | 'no-fallback';
        providers: NotifmeCustomEmailProvider[];
      };
    };
  }

  export interface NotifmeResult {
    status: 'success' | 'error';
    channels?: { email?: { id: string; providerId: string } };
    errors?: Record<string, string>;
  }

  export default class NotifmeSdk {
    constructor(options: NotifmeOptions);
    logger: { mute(): void };
    send(request: {
      metadata?: { id?: string };
      email: Omit<NotifmeEmailRequest, 'id'>;
    }): Promise<NotifmeResult>;
  }
}
