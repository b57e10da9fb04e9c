/**
 * The LED driver on a real socat pty pair: ManagedPort on the host end (as on the kiosk), the panel
 * simulator attached to a ManagedPort on the device end. Content arrives, clear-after empties the
 * area, and an unplug gives write_failed until the replug, after which a show works again.
 * Without socat it fails, naming the apt package.
 */
import iconv from 'iconv-lite';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../tests/support/require-tool.node.ts';
import { ManagedPort, type SerialSettings } from '@kawei/shared/devices/managed-port.node.ts';
import { startPtyPair } from '@kawei/shared/devices/pty-pair.node.ts';
import { ALPHA_SERIAL } from '../src/alpha/alpha-sign.ts';
import { LedDriver, formatSeatMessage } from '../src/led-driver.ts';
import { createAlphaProtocol, createBxProtocol } from '../src/led-display.ts';
import { LedPanelSimulator } from '../src/simulator/led-panel-simulator.ts';
import { attachLedPanel } from '../src/simulator/led-panel-serial.ts';

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function waitFor(what: string, ok: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function includesBytes(hay: number[], needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

const cases = [
  { name: 'BX at 9600 8N1', kind: 'onbon-bx' as const, serial: { baudRate: 9600 } as SerialSettings, text: formatSeatMessage(3, 'A5') },
  { name: 'BX at 57600 8N1', kind: 'onbon-bx' as const, serial: { baudRate: 57600 } as SerialSettings, text: formatSeatMessage(3, 'A5') },
  // Alpha signs are 7-bit ASCII: the seat call goes out in its short Latin form.
  { name: 'Alpha at 9600 7E2', kind: 'alpha' as const, serial: { ...ALPHA_SERIAL } as SerialSettings, text: 'ROOM 3 A5' },
  { name: 'Alpha at 57600 7E2', kind: 'alpha' as const, serial: { ...ALPHA_SERIAL, baudRate: 57600 } as SerialSettings, text: 'ROOM 3 A5' },
];

describe.each(cases)('LED driver over a socat pty pair: $name', ({ kind, serial, text }) => {
  beforeAll(() => requireTool('socat'));
  // Hang guards below are generous (10 s): how fast the port comes back is measured by `npm run bench -- devices` (reconnect_ms).
  it('shows, clears after the time-out, fails while unplugged and works again after the replug', async () => {
    const pair = await startPtyPair();
    cleanups.push(() => pair.close());
    const host = new ManagedPort({ device: 'led-1', kind: 'led', path: pair.a, ...serial, retryIntervalMs: 100 });
    const device = new ManagedPort({ device: 'led-sim', kind: 'led', path: pair.b, ...serial, retryIntervalMs: 100 });
    cleanups.push(() => host.close(), () => device.close());
    await host.start();
    await device.start();

    const panel = new LedPanelSimulator({ protocol: kind });
    const raw: number[] = [];
    device.onData((b) => raw.push(...b));
    cleanups.push(attachLedPanel(panel, device).close);
    const protocol = kind === 'alpha' ? createAlphaProtocol() : createBxProtocol();
    const driver = new LedDriver(host, { protocol, health: host, replyTimeoutMs: 500 });
    cleanups.push(() => driver.close());

    const shown = await driver.show(0, text);
    expect(shown).toMatchObject({ ok: true, acked: kind === 'onbon-bx' });
    await waitFor('the text on the panel', () => panel.text(0) === text);
    if (kind === 'onbon-bx') expect(includesBytes(raw, iconv.encode('3号评标室 A5', 'gbk'))).toBe(true);
    else expect(includesBytes(raw, new TextEncoder().encode(text))).toBe(true);

    expect(await driver.setBrightness(9)).toMatchObject({ ok: true });
    // 9 of 16 is 56 %: Alpha's nearest step is 58 %, which maps back to 9.
    await waitFor('brightness', () => panel.brightness === 9);

    expect(await driver.show(1, 'A6', { clearAfterMs: 250 })).toMatchObject({ ok: true });
    await waitFor('area 1 shown', () => panel.text(1) === 'A6');
    await waitFor('area 1 cleared by the host timer', () => panel.text(1) === undefined, 10_000);
    expect(panel.events.some((e) => e.kind === 'clear' && e.area === 1)).toBe(true);
    expect(panel.text(0)).toBe(text);

    await pair.unplug();
    await waitFor('host port down', () => host.health.state === 'down', 10_000);
    expect(await driver.show(0, 'A7')).toMatchObject({ ok: false, acked: false, error: 'write_failed' });

    await pair.replug();
    await host.waitUntilUp(10_000);
    await device.waitUntilUp(10_000);
    const again = await driver.show(0, 'A8');
    expect(again).toMatchObject({ ok: true });
    await waitFor('the panel after the replug', () => panel.text(0) === 'A8', 10_000);
    expect(host.health.state).toBe('up');
  });
});
