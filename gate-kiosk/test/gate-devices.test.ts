/**
 * The gate's device hub against every simulator on real socat pty pairs (the same simulators the
 * technician CLI runs): the turnstile opens (the relay simulator sees the coil pulse), the seat is
 * shown and spoken, an ID card is reported, health follows an unplug and a replug, and a gate with
 * a device missing still starts. Without socat the suites fail, naming the apt package.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../tests/support/require-tool.node.ts';
import { type RunningSimulator, startSimulator } from '@kawei/led-driver/cli/simulate.node.ts';
import type { DeviceHealth } from '@kawei/shared/devices/device-health.ts';
import { parseGateConfig } from '../src/services/gate-config.ts';
import { GateDevices, seatAnnouncement } from '../src/services/devices/gate-devices.node.ts';

const SEAT = { roomId: 'room-3', roomNumber: 3, roomName: '3号评标室', label: 'A5' };

async function waitFor(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('seat announcement', () => {
  it('says and shows the room and booth, shortened for a narrow panel', () => {
    expect(seatAnnouncement(SEAT)).toEqual({ voice: '请到3号评标室A5号卡位', led: '3号评标室 A5' });
    expect(seatAnnouncement(SEAT, 8).led).toBe('3号室 A5');
  });
});

describe('GateDevices over pty pairs with the simulators', () => {
  beforeAll(() => requireTool('socat'));
  let dir: string;
  const sims = new Map<string, RunningSimulator>();
  let devices: GateDevices;
  const health: DeviceHealth[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kawei-gate-devices-'));
    for (const kind of ['led-bx', 'syn6288', 'relay', 'idcard'] as const) sims.set(kind, await startSimulator(kind, dir));
    const config = parseGateConfig({
      devices: {
        led: { path: sims.get('led-bx')!.hostPath, baud: 57600, clearAfterMs: 5000 },
        voice: { chip: 'syn6288', path: sims.get('syn6288')!.hostPath, baud: 9600 },
        relay: { path: sims.get('relay')!.hostPath, baud: 9600, coil: 1, pulseMs: 300 },
        idcard: { path: sims.get('idcard')!.hostPath, baud: 115200 },
      },
    });
    devices = await GateDevices.start(config.devices);
    devices.onHealth((h) => health.push(h));
  }, 30_000);

  afterAll(async () => {
    await devices?.close();
    for (const s of sims.values()) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports every fitted device up', () => {
    expect(devices.tiles().map((t) => [t.kind, t.state])).toEqual([
      ['led', 'up'],
      ['voice', 'up'],
      ['relay', 'up'],
      ['idcard', 'up'],
    ]);
  });

  it('opens the passage: the coil is pulsed for the configured time', async () => {
    const relay = sims.get('relay')!.state;
    if (relay.kind !== 'relay') throw new Error('relay simulator expected');
    const before = relay.relay.pulses.length;
    const r = await devices.openPassage();
    expect(r.ok).toBe(true);
    expect(relay.relay.getCoil(1)).toBe(true);
    await waitFor('the coil to drop', () => relay.relay.pulses.length === before + 1);
    const pulse = relay.relay.pulses.at(-1)!;
    expect(pulse.coil).toBe(1);
    // held at least the configured 300 ms (a timer never fires early); how late it drops depends on the machine
    expect(pulse.ms).toBeGreaterThanOrEqual(290);
  });

  it('announces the seat on the LED and by voice at once, and the LED clears after the time-out', async () => {
    const led = sims.get('led-bx')!.state;
    const voice = sims.get('syn6288')!.state;
    if (led.kind !== 'led' || voice.kind !== 'voice') throw new Error('simulators expected');
    const a = seatAnnouncement(SEAT);
    await devices.announce(a.voice, a.led);
    expect(led.panel.text(0)).toBe('3号评标室 A5');
    expect(voice.spoken().at(-1)?.text).toBe('请到3号评标室A5号卡位');
    await waitFor('the LED to clear', () => (led.panel.text(0) ?? '') === '', 7000);
  });

  it('reports the card on the reader once', async () => {
    const reads: string[] = [];
    devices.onCard((c) => reads.push(c.idNumber));
    await waitFor('a card read', () => reads.length > 0, 8000);
    expect(reads[0]).toMatch(/^\d{17}[\dX]$/);
    await new Promise((r) => setTimeout(r, 2500));
    expect(reads).toHaveLength(1);
  });

  it('turns the relay tile down on unplug, back up on replug, and refuses to open meanwhile', async () => {
    const sim = sims.get('relay')!;
    await sim.pair.unplug();
    await waitFor('relay down', () => devices.tiles().find((t) => t.kind === 'relay')?.state === 'down', 3000);
    const r = await devices.openPassage();
    expect(r.ok).toBe(false);
    await sim.pair.replug();
    await waitFor('relay up', () => devices.tiles().find((t) => t.kind === 'relay')?.state === 'up', 3000);
    expect(health.some((h) => h.device === 'turnstile' && h.state === 'down')).toBe(true);
  });
});

describe('a gate with a device missing', () => {
  beforeAll(() => requireTool('socat'));
  it('starts anyway, the missing device down, and openPassage says it failed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kawei-gate-missing-'));
    const config = parseGateConfig({ devices: { relay: { path: join(dir, 'no-such-port') } } });
    const devices = await GateDevices.start(config.devices);
    try {
      expect(devices.tiles()).toEqual([expect.objectContaining({ kind: 'relay', state: 'down' })]);
      expect((await devices.openPassage()).ok).toBe(false);
    } finally {
      await devices.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
