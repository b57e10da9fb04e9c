/**
 * The port manager over a real socat pty pair: open by path, survive an unplug (socat stopped) and a
 * replug (socat started again at the same paths), publish every health change, keep the
 * receive callbacks across the reopen. Fails, naming the apt package, without socat.
 */
import { SerialPort } from 'serialport';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../../tests/support/require-tool.node.ts';
import type { DeviceHealth } from '../../src/devices/device-health.ts';
import { deviceHealthSchema } from '../../src/devices/device-health.ts';
import { ManagedPort, PortUnavailableError } from '../../src/devices/managed-port.node.ts';
import { startPtyPair } from '../../src/devices/pty-pair.node.ts';

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

describe('ManagedPort over a socat pty pair', () => {
  beforeAll(() => requireTool('socat'));
  it('carries bytes both ways and recovers from an unplug', async () => {
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
    await waitFor('down', () => mp.health.state === 'down', 10_000);
    await expect(mp.write(Uint8Array.of(1))).rejects.toBeInstanceOf(PortUnavailableError);

    // A generous hang guard: how fast it comes back is measured by `npm run bench -- devices` (reconnect_ms).
    await pair.replug();
    await mp.waitUntilUp(10_000);
    expect(mp.health.reconnects).toBe(1);

    device = await openDeviceEnd(pair.b);
    const after: number[] = [];
    device.on('data', (b: Buffer) => after.push(...b));
    await mp.write(Uint8Array.of(7));
    await waitFor('bytes after replug', () => after.length === 1);
    device.write(Buffer.from([5]));
    await waitFor('receive callback kept across the reopen', () => received.length === 3);
    expect(received).toEqual([9, 8, 5]);

    // A retry while socat is still away republishes 'down' with its own error (the line closed, then
    // the path missing): how many depends on the machine's pace, the order of states does not.
    const states = seen.map((h) => h.state).filter((state, i, all) => i === 0 || state !== all[i - 1]);
    expect(states).toEqual(['up', 'down', 'up']);
    for (const h of seen) expect(deviceHealthSchema.parse(h)).toEqual(h);
    for (const h of seen.filter((x) => x.state === 'down')) expect(h.error).toBeTruthy();
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
    await mp.waitUntilUp(10_000);
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
