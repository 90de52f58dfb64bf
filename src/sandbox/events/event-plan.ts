import type { CapturedMessage } from '../captured-message';
import { EVENTS_EMAIL_DOMAIN, TWILIO_EVENT_NUMBERS } from '../sandbox-conventions';
import type { EmailEventKind, EventKind, EventProvider, PlannedEvent } from './event-kinds';

const BY_LOCAL_PART: Readonly<Record<string, readonly EmailEventKind[]>> = {
  bounce: ['bounce'],
  complaint: ['delivered', 'complaint'],
  deferred: ['deferred', 'delivered'],
  silent: [],
  delivered: ['delivered'],
};

const BY_NUMBER: Readonly<Record<string, readonly PlannedEventSpec[]>> = {
  [TWILIO_EVENT_NUMBERS.unreachable]: [{ kind: 'sent' }, { kind: 'undelivered', errorCode: 30003 }],
  [TWILIO_EVENT_NUMBERS.unknown]: [{ kind: 'sent' }, { kind: 'undelivered', errorCode: 30005 }],
  [TWILIO_EVENT_NUMBERS.failed]: [{ kind: 'failed', errorCode: 30001 }],
  [TWILIO_EVENT_NUMBERS.sentOnly]: [{ kind: 'sent' }],
};

/** Twilio's code when the control API asks for an outcome without naming a number. */
const DEFAULT_ERROR_CODE: Partial<Record<EventKind, number>> = {
  undelivered: 30003,
  failed: 30001,
};

type PlannedEventSpec = Omit<PlannedEvent, 'recipient'>;

/** Bare address of `Name <a@b>` or `a@b`, lower-cased. */
function addressOf(recipient: string): string {
  const match = /<([^>]+)>\s*$/.exec(recipient);
  return (match ? match[1]! : recipient).trim().toLowerCase();
}

function conventionFor(provider: EventProvider, recipient: string): readonly PlannedEventSpec[] {
  if (provider === 'twilio') {
    return BY_NUMBER[recipient] ?? [{ kind: 'sent' }, { kind: 'delivered' }];
  }
  const address = addressOf(recipient);
  const at = address.lastIndexOf('@');
  const domain = address.slice(at + 1);
  const local = address.slice(0, at).split('+')[0]!;
  const kinds = (domain === EVENTS_EMAIL_DOMAIN ? BY_LOCAL_PART[local] : undefined) ?? [
    'delivered',
  ];
  return kinds.map((kind) => ({ kind }));
}

/**
 * The events that follow an accepted message, recipient by recipient, in the order they are
 * sent: `override` (the control API's `events`) when given, else the recipient conventions.
 */
export function planEvents(
  provider: EventProvider,
  message: Pick<CapturedMessage, 'to' | 'cc' | 'bcc'>,
  override?: readonly EventKind[],
): PlannedEvent[] {
  const recipients = [...message.to, ...(message.cc ?? []), ...(message.bcc ?? [])];
  return recipients.flatMap((recipient) => {
    const specs: readonly PlannedEventSpec[] = override
      ? override.map((kind) => ({ kind, errorCode: DEFAULT_ERROR_CODE[kind] }))
      : conventionFor(provider, recipient);
    return specs.map((spec) => ({
      kind: spec.kind,
      recipient,
      ...(spec.errorCode === undefined ? {} : { errorCode: spec.errorCode }),
    }));
  });
}
