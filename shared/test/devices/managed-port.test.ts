/**
 * The port manager over a real socat pty pair: open by path, survive an unplug (socat stopped) and a
 * replug (socat started again at the same paths) within 2 s, publish every health change, keep the
 * receive callbacks across the reopen. Skips, saying why, only when socat is missing.
 */
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceHealth } from '../../src/devices/device-health.ts';
import { deviceHealthSchema } from '../../src/devices/device-health.ts';
import { ManagedPort, PortUnavailableError } from '../../src/devices/managed-port.node.ts';
import { hasSocat, startPtyPair } from '../../src/devices/pty-pair.node.ts';

if (!hasSocat()) console.warn('managed-port: SKIPPED, socat is missing (Debian: apt-get install socat)');

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function openDeviceEnd(path: string): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  cleanups.push(() => new Promise<void>((r) => (port.isOpen ? port.close(() => r()) : r())));
  return port;
}

async function waitFor(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.skipIf(!hasSocat())('ManagedPort over a socat pty pair', () => {
  it('carries bytes both ways and recovers from an unplug within 2 s', async () => {
    const pair = await startPtyPair();
    cleanups.push(() => pair.close());
    const mp = new ManagedPort({ device: 'turnstile-1', kind: 'relay', path: pair.a, baudRate: 9600, retryIntervalMs: 100 });
    cleanups.push(() => mp.close());
    const seen: DeviceHealth[] = [];
    mp.onHealth((h) => seen.push(h));
    const received: number[] = [];
    mp.onData((b) => received.push(...b));
    await mp.start();
    expect(mp.health.state).toBe('up');

    let device = await openDeviceEnd(pair.b);
    await mp.write(Uint8Array.of(1, 2, 3));
    const atDevice: number[] = [];
    device.on('data', (b: Buffer) => atDevice.push(...b));
    await waitFor('bytes at the device', () => atDevice.length === 3);
    device.write(Buffer.from([9, 8]));
    await waitFor('bytes at the host', () => received.length === 2);

    await pair.unplug();
    await waitFor('down', () => mp.health.state === 'down', 2000);
    await expect(mp.write(Uint8Array.of(1))).rejects.toBeInstanceOf(PortUnavailableError);

    const t0 = Date.now();
    await pair.replug();
    await mp.waitUntilUp(2000);
    const reconnectMs = Date.now() - t0;
    expect(reconnectMs).toBeLessThan(2000);
    expect(mp.health.reconnects).toBe(1);

    device = await openDeviceEnd(pair.b);
    const after: number[] = [];
    device.on('data', (b: Buffer) => after.push(...b));
    await mp.write(Uint8Array.of(7));
    await waitFor('bytes after replug', () => after.length === 1);
    device.write(Buffer.from([5]));
    await waitFor('receive callback kept across the reopen', () => received.length === 3);
    expect(received).toEqual([9, 8, 5]);

    expect(seen.map((h) => h.state)).toEqual(['up', 'down', 'up']);
    for (const h of seen) expect(deviceHealthSchema.parse(h)).toEqual(h);
    expect(seen[1]?.error).toBeTruthy();
  });

  it('starts down on a missing path and comes up when the device appears', async () => {
    const pair = await startPtyPair();
    cleanups.push(() => pair.close());
    await pair.unplug();
    const mp = new ManagedPort({ device: 'led-1', kind: 'led', path: pair.a, baudRate: 9600, retryIntervalMs: 50 });
    cleanups.push(() => mp.close());
    await mp.start();
    expect(mp.health.state).toBe('down');
    expect(mp.health.error).toMatch(/does not exist/);
    await pair.replug();
    await mp.waitUntilUp(2000);
    expect(mp.health.reconnects).toBe(0);
  });

  it('degrades after consecutive time-outs and recovers on an answer', async () => {
    const pair = await startPtyPair();
    cleanups.push(() => pair.close());
    const mp = new ManagedPort({ device: 'voice-1', kind: 'voice', path: pair.a, baudRate: 9600, degradedAfterTimeouts: 2 });
    cleanups.push(() => mp.close());
    await mp.start();
    mp.reportTimeout('status query');
    expect(mp.health.state).toBe('up');
    mp.reportTimeout('status query');
    expect(mp.health.state).toBe('degraded');
    expect(mp.health.error).toBe('status query');
    mp.reportAnswer();
    expect(mp.health).toMatchObject({ state: 'up', consecutiveTimeouts: 0 });
    expect(mp.health.error).toBeUndefined();
    await mp.close();
    expect(mp.health.state).toBe('closed');
  });
});
