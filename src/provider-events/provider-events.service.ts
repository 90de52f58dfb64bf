import { Inject, Injectable, Logger } from '@nestjs/common';
import { PROVIDER_KIND, type ProviderName } from '../config/config.schema';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { FallbackSteps } from '../fallback/fallback-steps';
import { MetricsService } from '../metrics/metrics.service';
import type { ProviderEvent } from '../contracts/notification-record';
import { type EventApplied, NotificationLifecycle } from '../notifications/notification-lifecycle';
import { RedisService } from '../redis/redis.service';
import { DeliveryEventRates } from '../providers-status/delivery-event-rates';
import { SuppressionList } from '../suppression/suppression-list';
import { MailgunEventVerifier } from './mailgun-event.verifier';
import { SendgridEventVerifier } from './sendgrid-event.verifier';
import { SesEventVerifier } from './ses-event.verifier';
import { TwilioEventVerifier } from './twilio-event.verifier';
import type { Verification, VerifiedEvent, WebhookRequest } from './verified-event';

/** The providers whose delivery events Herald receives (`POST /v1/provider-events/:provider`). */
export const EVENT_PROVIDERS = ['sendgrid', 'mailgun', 'ses', 'twilio'] as const;
export type EventProvider = (typeof EVENT_PROVIDERS)[number];

/** What the route answers: acknowledged once stored, or refused with nothing processed. */
export type WebhookOutcome =
  { readonly kind: 'acknowledged' } | { readonly kind: 'refused'; readonly reason: string };

/**
 * Receives the provider delivery events: verifies each request by its provider's signature
 * alone, then records each event once (by the provider's event id) on the notification its
 * provider message id names, as a lifecycle transition.
 */
@Injectable()
export class ProviderEventsService {
  private readonly logger = new Logger(ProviderEventsService.name);
  private readonly sendgrid: SendgridEventVerifier;
  private readonly mailgun: MailgunEventVerifier;
  private readonly twilio: TwilioEventVerifier;
  private readonly ses: SesEventVerifier;

  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    private readonly redis: RedisService,
    private readonly lifecycle: NotificationLifecycle,
    private readonly metrics: MetricsService,
    private readonly fallbackSteps: FallbackSteps,
    private readonly suppressions: SuppressionList,
    private readonly rates: DeliveryEventRates,
  ) {
    const e = config.providerEvents;
    this.sendgrid = new SendgridEventVerifier(e.sendgridPublicKey, e.maxAgeSeconds);
    this.mailgun = new MailgunEventVerifier(e.mailgunSigningKey, e.maxAgeSeconds);
    this.twilio = new TwilioEventVerifier(config.providers.twilio.authToken, e.publicUrl);
    this.ses = new SesEventVerifier(e.snsTopicArns, e.snsCertOrigins);
  }

  async receive(request: WebhookRequest & { provider: EventProvider }): Promise<WebhookOutcome> {
    const verification = await this.verify(request);
    if (!verification.ok) {
      this.metrics.providerEvents.inc({ provider: request.provider, verdict: 'refused' });
      this.logger.warn(
        { provider: request.provider, reason: verification.reason },
        `refused a ${request.provider} event request: ${verification.reason}`,
      );
      return { kind: 'refused', reason: verification.reason };
    }
    for (const verified of verification.events) {
      const { event } = verified;
      const verdict = event
        ? await this.apply(request.provider, { ...verified, event })
        : 'ignored';
      this.metrics.providerEvents.inc({ provider: request.provider, verdict });
    }
    return { kind: 'acknowledged' };
  }

  /**
   * Stores one event; a bounce, complaint or unsubscribe puts its recipients on the channel's
   * suppression list in the same atomic step (see NotificationLifecycle.applyEvent).
   */
  private async apply(
    provider: EventProvider,
    verified: VerifiedEvent & { event: ProviderEvent },
  ): Promise<EventApplied['kind']> {
    const channel = PROVIDER_KIND[provider];
    const write = verified.suppress
      ? this.suppressions.writeFor(
          channel,
          verified.suppress.recipients,
          verified.suppress.reason,
          provider,
          verified.event.at,
        )
      : undefined;
    const applied = await this.lifecycle.applyEvent(
      provider,
      verified.providerMessageId,
      verified.eventId,
      verified.event,
      write,
      verified.recipients,
    );
    if (applied.kind === 'applied') {
      if (write) this.suppressions.counted(channel, write.reason, applied.suppressed);
      // Advisory (the status page's rates): the event is stored, so a failure here does not
      // fail the request, which the provider would only retry as a duplicate.
      this.rates
        .count(provider, verified.event.type)
        .catch((err: unknown) =>
          this.logger.debug(
            { err: { message: (err as Error).message } },
            'could not count an event for the status rates',
          ),
        );
    }
    await this.followUp(applied);
    return applied.kind;
  }

  /**
   * An event that ended a step (a bounce, say) started the next fallback step: its job is
   * queued here. Should that fail, the request is not acknowledged and the provider sends the
   * event again; the repeat is a duplicate, and queues the step's job then.
   */
  private async followUp(applied: EventApplied): Promise<void> {
    if (applied.kind === 'applied' && applied.advanced) {
      await this.fallbackSteps.started(applied.notificationId, applied.advanced);
    } else if (applied.kind === 'duplicate' && applied.step > 0 && applied.status === 'queued') {
      await this.fallbackSteps.ensureCurrentStep(applied.notificationId);
    }
  }

  private async verify(
    request: WebhookRequest & { provider: EventProvider },
  ): Promise<Verification> {
    switch (request.provider) {
      case 'sendgrid':
        return this.sendgrid.verify(request);
      case 'twilio':
        return this.twilio.verify(request);
      case 'ses': {
        const verification = await this.ses.verify(request.body);
        if (verification.ok && verification.subscribeUrl) {
          return (await this.confirm(verification.subscribeUrl))
            ? verification
            : { ok: false, reason: 'SubscribeURL did not answer 2xx' };
        }
        return verification;
      }
      case 'mailgun': {
        const verification = this.mailgun.verify(request.body);
        if (!verification.ok || !verification.replay) return verification;
        return (await this.firstUse(request.provider, verification.replay))
          ? verification
          : { ok: false, reason: 'token replayed with another body' };
      }
    }
  }

  /**
   * Confirms an SNS subscription to an allowed topic by visiting its SubscribeURL (an allowed
   * origin, checked by the verifier). Unconfirmed, SNS sends the confirmation again later.
   */
  private async confirm(subscribeUrl: string): Promise<boolean> {
    try {
      const res = await fetch(subscribeUrl, {
        signal: AbortSignal.timeout(5_000),
        redirect: 'error',
      });
      await res.body?.cancel();
      if (res.ok) this.logger.log('confirmed the SNS subscription of SES events');
      return res.ok;
    } catch {
      return false;
    }
  }

  /**
   * Mailgun's signature does not cover the body: a token is accepted with one body only. The
   * same token and body again is the provider repeating itself (the event id then de-duplicates
   * it); another body is a replay. Kept past the timestamp window, after which the signature is
   * refused anyway.
   */
  private async firstUse(
    provider: ProviderName,
    replay: { token: string; bodyDigest: string },
  ): Promise<boolean> {
    const key = this.redis.key('whtok', provider, replay.token);
    const ttl = 2 * this.config.providerEvents.maxAgeSeconds;
    const set = await this.redis.client.set(key, replay.bodyDigest, 'EX', ttl, 'NX');
    if (set === 'OK') return true;
    return (await this.redis.client.get(key)) === replay.bodyDigest;
  }
}
