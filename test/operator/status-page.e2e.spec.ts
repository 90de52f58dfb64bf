import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProviderSimulator } from '../../src/sandbox/provider-simulator';
import {
  deliveryEnv,
  emailTo,
  FAST_DELIVERY,
  isFinal,
  postNotification,
  startSimulator,
  waitForRecord,
} from '../delivery/delivery-fixture';
import { type RunningHerald, startReadyHerald } from '../support/herald';
import { CHROMIUM, chromiumDom, chromiumScreenshot, hasChromium } from './chromium';

const VOLUME = Number(FAST_DELIVERY.HERALD_BREAKER_VOLUME_THRESHOLD);

describe('GET /status', () => {
  let simulator: ProviderSimulator;
  let herald: RunningHerald;

  beforeAll(async () => {
    simulator = await startSimulator();
    herald = await startReadyHerald(
      deliveryEnv(simulator.url, { HERALD_BREAKER_RESET_TIMEOUT_MS: '60000' }),
    );
    // An outage of the primary: its breaker opens and stays open for the spec.
    simulator.setBehaviour('sendgrid', { mode: 'fail', status: 503 });
    for (let i = 0; i < VOLUME; i += 1) {
      const id = await postNotification(herald.url, emailTo(`s${i}@example.com`));
      await waitForRecord(herald.url, id, isFinal);
    }
  });
  afterAll(async () => {
    await herald?.close();
    await simulator?.stop();
  });

  it('answers a self-refreshing HTML page with no script allowed', async () => {
    const res = await fetch(`${herald.url}/status`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(
      "default-src 'none'; style-src 'unsafe-inline'",
    );
    const html = await res.text();
    expect(html).toMatch(/<meta http-equiv="refresh" content="\d+">/);
    expect(html).not.toMatch(/<script|<link|src=/);
  });

  it("shows each provider's state in colour, its window's counts and the queue depth", async () => {
    const html = await (await fetch(`${herald.url}/status`)).text();
    const row = (provider: string) =>
      new RegExp(`<tr class="provider" data-provider="${provider}"[^]*?</tr>`).exec(html)?.[0] ??
      '';
    expect(row('sendgrid')).toMatch(/data-state="open"/);
    expect(row('sendgrid')).toContain('<span class="badge bad">open</span>');
    expect(row('sendgrid')).toContain('<span class="rate bad">100%</span>');
    expect(row('sendgrid')).toMatch(/<code>unavailable<\/code> HTTP 503/);
    expect(row('mailgun')).toContain('<span class="badge ok">closed</span>');
    expect(row('mailgun')).toMatch(/<td class="num">3<\/td>/);
    for (const provider of ['ses', 'twilio', 'slack']) expect(row(provider)).not.toBe('');
    expect(html).toMatch(/<div class="stats" id="queue">/);
    expect(html).toMatch(/<span class="label">waiting<\/span>/);
  });

  describe(`rendered in headless Chromium (runs only where ${CHROMIUM} is installed)`, () => {
    it.skipIf(!hasChromium())(
      'builds the provider table and takes a 1200×700 screenshot',
      async () => {
        const dom = await chromiumDom(`${herald.url}/status`);
        expect(dom.match(/<tr class="provider"/g)).toHaveLength(5);
        expect(dom).toContain('<span class="badge bad">open</span>');

        const dir = mkdtempSync(join(tmpdir(), 'herald-status-'));
        try {
          const file = join(dir, 'status.png');
          await chromiumScreenshot(`${herald.url}/status`, file);
          const png = readFileSync(file);
          expect(png.subarray(0, 8)).toEqual(
            Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
          );
          // IHDR: width and height, big-endian, right after the signature and chunk header.
          expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1200, 700]);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );
  });
});
