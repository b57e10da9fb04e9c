/** The driver against the panel simulator through an in-memory pipe: real encoders, parser and
 * simulator on both ends, no mocks; a "silent peer" is simply an end nobody answers on. */
import { afterEach, describe, expect, it } from 'vitest';
import type { ByteTransport } from '@kawei/shared/devices/byte-transport.ts';
import { createMemoryPipe } from '@kawei/shared/devices/voice/memory-pipe.ts';
import { LedDriver, formatSeatMessage, ledTextCells } from '../src/led-driver.ts';
import { type LedDisplayProtocol, createAlphaProtocol, createBxProtocol } from '../src/led-display.ts';
import { LedPanelSimulator } from '../src/simulator/led-panel-simulator.ts';
import { attachLedPanel } from '../src/simulator/led-panel-serial.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

class Health {
  timeouts: string[] = [];
  answers = 0;
  reportTimeout(what: string): void {
    this.timeouts.push(what);
  }
  reportAnswer(): void {
    this.answers++;
  }
}

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.reverse()) c();
  cleanups = [];
});

function rig(kind: 'onbon-bx' | 'alpha', o: { areaCount?: number; replyDelayMs?: number; replyTimeoutMs?: number; protocol?: LedDisplayProtocol } = {}) {
  const [host, device] = createMemoryPipe();
  const panel = new LedPanelSimulator({ protocol: kind, ...(o.areaCount ? { areaCount: o.areaCount } : {}) });
  const updatedAt: number[] = [];
  const attached = attachLedPanel(panel, device, { replyDelayMs: o.replyDelayMs ?? 0, onUpdate: () => updatedAt.push(performance.now()) });
  const health = new Health();
  const protocol = o.protocol ?? (kind === 'alpha' ? createAlphaProtocol() : createBxProtocol());
  const driver = new LedDriver(host, { protocol, health, replyTimeoutMs: o.replyTimeoutMs ?? 300 });
  cleanups.push(() => driver.close(), attached.close);
  return { host, device, panel, driver, health, updatedAt };
}

describe('LedDriver over BX', () => {
  it('shows the seat message and resolves on the ack', async () => {
    const { panel, driver, health } = rig('onbon-bx');
    const r = await driver.show(3, formatSeatMessage(3, 'A5'));
    expect(r).toMatchObject({ ok: true, acked: true });
    expect(r.ms).toBeGreaterThanOrEqual(0);
    expect(panel.text(3)).toBe('3号评标室 A5');
    expect(health.answers).toBe(1);
    expect(health.timeouts).toEqual([]);
  });

  it('returns a nack for an area the controller does not have, without retrying', async () => {
    const { host, driver, health } = rig('onbon-bx', { areaCount: 4 });
    const r = await driver.show(5, 'A5');
    expect(r).toMatchObject({ ok: false, acked: true, error: 'nack' });
    expect(host.written).toHaveLength(1);
    expect(health.answers).toBe(1);
  });

  it('times out against a silent peer after one retry, reporting both time-outs', async () => {
    const [host] = createMemoryPipe();
    const health = new Health();
    const driver = new LedDriver(host, { protocol: createBxProtocol(), health, replyTimeoutMs: 60 });
    cleanups.push(() => driver.close());
    const t0 = performance.now();
    const r = await driver.show(0, 'A5');
    expect(r).toMatchObject({ ok: false, acked: false, error: 'timeout' });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(110);
    expect(host.written).toHaveLength(2);
    expect(host.written[1]).toEqual(host.written[0]);
    expect(health.timeouts).toHaveLength(2);
    expect(health.answers).toBe(0);
  });

  it('a frame lost once is recovered by the retry', async () => {
    const [host, device] = createMemoryPipe();
    const panel = new LedPanelSimulator({ protocol: 'onbon-bx' });
    let frames = 0;
    // The first frame is "lost on the line"; the panel hears the second.
    device.onData((b) => {
      if (frames++ === 0) return;
      void device.write(panel.receive(b));
    });
    const health = new Health();
    const driver = new LedDriver(host, { protocol: createBxProtocol(), health, replyTimeoutMs: 60 });
    cleanups.push(() => driver.close());
    const r = await driver.show(2, 'B7');
    expect(r).toMatchObject({ ok: true, acked: true });
    expect(panel.text(2)).toBe('B7');
    expect(health.timeouts).toHaveLength(1);
    expect(health.answers).toBe(1);
  });

  it('runs commands one at a time, in the order they were given', async () => {
    const { panel, driver, updatedAt } = rig('onbon-bx', { replyDelayMs: 25 });
    const texts = ['A1', 'A2', 'A3', 'A4', 'A5'];
    const results = await Promise.all(texts.map((t, i) => driver.show(i % 2, t)));
    expect(results.every((r) => r.ok && r.acked)).toBe(true);
    expect(panel.events.map((e) => e.text)).toEqual(texts);
    // Each command reached the panel only after the previous one's (delayed) answer.
    for (let i = 1; i < updatedAt.length; i++) expect((updatedAt[i] ?? 0) - (updatedAt[i - 1] ?? 0)).toBeGreaterThanOrEqual(20);
    expect(panel.render()).toBe('[0] A5\n[1] A4');
  });

  it('clears an area after clearAfterMs on the host, and asks the controller for the same time-out', async () => {
    const { host, panel, driver } = rig('onbon-bx');
    expect(await driver.show(0, '3号评标室 A5', { clearAfterMs: 120 })).toMatchObject({ ok: true });
    const [sent] = createBxProtocol().parser.push(host.written[0] ?? new Uint8Array());
    expect(sent).toMatchObject({ kind: 'show', area: 0, expireAfterS: 1 });
    expect(panel.text(0)).toBe('3号评标室 A5');
    await sleep(250);
    expect(panel.text(0)).toBeUndefined();
    expect(panel.events.map((e) => e.kind)).toEqual(['show', 'clear']);
  });

  it('a newer show of the area cancels the pending clear; other areas keep their own timers', async () => {
    const { panel, driver } = rig('onbon-bx');
    await driver.show(1, 'old', { clearAfterMs: 100 });
    await driver.show(2, 'other', { clearAfterMs: 100 });
    await driver.show(1, 'new');
    await sleep(220);
    expect(panel.text(1)).toBe('new');
    expect(panel.text(2)).toBeUndefined();
  });

  it('a show that finishes after a newer command for its area does not arm its timer', async () => {
    const { panel, driver } = rig('onbon-bx', { replyDelayMs: 30 });
    const first = driver.show(1, 'first', { clearAfterMs: 60 });
    const second = driver.show(1, 'second');
    await Promise.all([first, second]);
    await sleep(150);
    expect(panel.text(1)).toBe('second');
  });

  it('clear(area) and clear("all")', async () => {
    const { panel, driver } = rig('onbon-bx');
    await driver.show(0, 'A');
    await driver.show(1, 'B');
    await driver.show(2, 'C', { clearAfterMs: 5000 });
    expect(await driver.clear(0)).toMatchObject({ ok: true, acked: true });
    expect(panel.render()).toBe('[1] B\n[2] C');
    expect(await driver.clear('all')).toMatchObject({ ok: true, acked: true });
    expect(panel.render()).toBe('');
    expect(panel.events.at(-1)).toEqual({ kind: 'clear', area: 'all' });
  });

  it('sets brightness (A2 07) and refuses a level outside 1..16 without sending', async () => {
    const { host, panel, driver } = rig('onbon-bx');
    expect(await driver.setBrightness(5)).toMatchObject({ ok: true, acked: true });
    expect(panel.brightness).toBe(5);
    expect(await driver.setBrightness(0)).toMatchObject({ ok: false, error: 'invalid' });
    expect(await driver.setBrightness(17)).toMatchObject({ ok: false, error: 'invalid' });
    expect(host.written).toHaveLength(1);
  });

  it('a protocol without a brightness command answers unsupported', async () => {
    const { encodeBrightness: _omit, ...bare } = createBxProtocol();
    const { driver, host } = rig('onbon-bx', { protocol: bare });
    expect(await driver.setBrightness(8)).toEqual({ ok: false, acked: false, ms: 0, error: 'unsupported', detail: 'onbon-bx has no brightness command' });
    expect(host.written).toHaveLength(0);
  });

  it('a failing port write is write_failed, never a throw, and the queue goes on', async () => {
    let down = true;
    const [host, device] = createMemoryPipe();
    const panel = new LedPanelSimulator({ protocol: 'onbon-bx' });
    cleanups.push(attachLedPanel(panel, device).close);
    const flaky: ByteTransport = {
      write: (b) => (down ? Promise.reject(new Error('port is down')) : host.write(b)),
      onData: (cb) => host.onData(cb),
    };
    const driver = new LedDriver(flaky, { protocol: createBxProtocol(), replyTimeoutMs: 100 });
    cleanups.push(() => driver.close());
    expect(await driver.show(0, 'A5')).toMatchObject({ ok: false, acked: false, error: 'write_failed', detail: 'port is down' });
    down = false;
    expect(await driver.show(0, 'A5')).toMatchObject({ ok: true, acked: true });
  });

  it('after close, commands fail as write_failed and no timer fires', async () => {
    const { panel, driver } = rig('onbon-bx');
    await driver.show(0, 'A5', { clearAfterMs: 50 });
    driver.close();
    await sleep(120);
    expect(panel.text(0)).toBe('A5');
    expect(await driver.show(1, 'B')).toMatchObject({ ok: false, error: 'write_failed' });
  });
});

describe('LedDriver over Alpha (no replies)', () => {
  it('resolves once the write is done, with acked false', async () => {
    const { panel, driver, health } = rig('alpha');
    const r = await driver.show(0, 'Room 3 A5');
    expect(r).toMatchObject({ ok: true, acked: false });
    await sleep(10); // the pipe delivers on the next tick
    expect(panel.text(0)).toBe('Room 3 A5');
    expect(health.answers + health.timeouts.length).toBe(0);
  });

  it('clear("all") blanks each area shown, as Alpha has no clear-all', async () => {
    const { panel, driver } = rig('alpha');
    await driver.show(0, 'A');
    await driver.show(3, 'B');
    await driver.clear('all');
    await sleep(10);
    expect(panel.render()).toBe('');
    expect(panel.events.filter((e) => e.kind === 'clear').map((e) => e.area)).toEqual([0, 3]);
  });

  it('brightness goes to the nearest of the five dimming steps', async () => {
    const { panel, driver } = rig('alpha');
    await driver.setBrightness(16);
    await sleep(10);
    expect(panel.brightness).toBe(16);
    await driver.setBrightness(8); // 50 % → 44 % step → 7 of 16
    await sleep(10);
    expect(panel.brightness).toBe(7);
  });

  it('clear-after blanks the area', async () => {
    const { panel, driver } = rig('alpha');
    await driver.show(1, 'B7', { clearAfterMs: 80 });
    await sleep(200);
    expect(panel.text(1)).toBeUndefined();
  });
});

describe('formatSeatMessage', () => {
  it('full text when it fits, shorter variants for narrow panels', () => {
    expect(formatSeatMessage(3, 'A5')).toBe('3号评标室 A5');
    expect(ledTextCells('3号评标室 A5')).toBe(12);
    expect(formatSeatMessage('3', ' A5 ', { maxCells: 8 })).toBe('3号室 A5');
    expect(formatSeatMessage(12, 'B10', { maxCells: 6 })).toBe('12-B10');
    expect(formatSeatMessage(12, 'B10', { maxCells: 2 })).toBe('12-B10');
  });
});
