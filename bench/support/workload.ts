import { randomBytes } from 'node:crypto';

/**
 * The one message every benchmark sends, through Herald and through the floors and the peer
 * alike: a receipt e-mail of about 1 KiB of JSON, with text, HTML and metadata.
 */
export const BENCH_EMAIL = {
  channel: 'email',
  to: ['ada.lovelace@example.com'],
  from: 'billing@example.com',
  subject: 'Your receipt for order 18342',
  text:
    'Hello Ada,\n\nThank you for your order 18342. We received your payment of EUR 42.00 ' +
    'and your parcel leaves our warehouse tomorrow. You can follow it from your account ' +
    'page at any time.\n\nKind regards,\nThe Example Shop team',
  html:
    '<!doctype html><html><body style="font-family:sans-serif"><h1>Thank you, Ada</h1>' +
    '<p>We received your payment of <strong>EUR 42.00</strong> for order ' +
    '<a href="https://shop.example.com/orders/18342">18342</a>.</p>' +
    '<p>Your parcel leaves our warehouse tomorrow; follow it from ' +
    '<a href="https://shop.example.com/account">your account page</a>.</p>' +
    '<p style="color:#666">The Example Shop team</p></body></html>',
  metadata: { orderId: '18342', tenant: 'example-shop' },
} as const;

export type BenchEmail = typeof BENCH_EMAIL;

/**
 * The same receipt as a templated e-mail: Herald renders `templates/order-confirmation`
 * (subject, text and HTML, about 2.5 KiB) from its data at intake.
 */
export const BENCH_TEMPLATED_EMAIL = {
  channel: 'email',
  to: ['ada.lovelace@example.com'],
  from: 'billing@example.com',
  template: 'order-confirmation',
  data: {
    order: {
      id: '18342',
      customerName: 'Ada Lovelace',
      items: [
        { name: 'Analytical Engine manual', quantity: 1, price: 'EUR 30.00' },
        { name: 'Punch cards (box of 100)', quantity: 2, price: 'EUR 6.00' },
      ],
      total: 'EUR 42.00',
      trackingUrl: 'https://shop.example.com/orders/18342',
    },
  },
  metadata: { orderId: '18342', tenant: 'example-shop' },
} as const;

/** An SMS: warms a worker up through the shared paths without touching the e-mail providers. */
export const BENCH_SMS = {
  channel: 'sms',
  to: '+14155550100',
  text: 'Your Example Shop code is 318042. It expires in 10 minutes.',
} as const;

/** The queue every benchmark uses; each run gets its own key prefix (see {@link runPrefix}). */
export const BENCH_QUEUE = 'herald-notifications';

/** The API caller of the accept benchmark: `HERALD_API_KEYS=bench:<key>`. */
export const BENCH_API_KEY = 'bench-key-0123456789abcdefghijkl';

/** A key prefix no other run uses: Redis keys of a run are found and deleted by it. */
export function runPrefix(label: string): string {
  return `bench-${label}-${randomBytes(4).toString('hex')}`;
}
