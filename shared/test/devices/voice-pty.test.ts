/**
 * The voice queue on one end of a real socat pty pair (serialport, 9600 8N1, as the chips default
 * to), each chip simulator on the other. Fails, naming the apt package, without socat.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../../tests/support/require-tool.node.ts';
import { serialPortTransport as serialTransport } from '../../src/devices/serial-port-transport.node.ts';
import { Syn6288Simulator } from '../../src/devices/voice/simulators/syn6288-simulator.ts';
import { Xfs5152Simulator } from '../../src/devices/voice/simulators/xfs5152-simulator.ts';
import { VoiceQueue, syn6288Chip, xfs5152Chip } from '../../src/devices/voice/voice-queue.ts';

const SEAT = '请到3号评标室A5号卡位';

async function waitFor(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function open(path: string): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  return port;
}

const close = (port: SerialPort): Promise<void> =>
  new Promise((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function ptyPair(): Promise<{ a: string; b: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'kawei-voice-'));
  const a = join(dir, 'A');
  const b = join(dir, 'B');
  const socat: ChildProcess = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  socat.stderr?.resume();
  cleanups.push(() => {
    if (socat.exitCode === null && socat.signalCode === null) socat.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });
  await waitFor('socat pty links', () => existsSync(a) && existsSync(b));
  return { a, b };
}

const cases = [
  { name: 'SYN6288', chip: syn6288Chip, Simulator: Syn6288Simulator },
  { name: 'XFS5152', chip: xfs5152Chip, Simulator: Xfs5152Simulator },
];

describe.each(cases)('voice queue over a socat pty pair: $name', ({ chip, Simulator }) => {
  beforeAll(() => requireTool('socat'));
  it('queues utterances without overlap and the seat call arrives decoded', async () => {
    const { a, b } = await ptyPair();
    const host = await open(a);
    const device = await open(b);
    cleanups.push(() => close(host), () => close(device));
    const sim = new Simulator(serialTransport(device), { msPerChar: 5 });
    const queue = new VoiceQueue(serialTransport(host), chip, { pollIntervalMs: 20, replyTimeoutMs: 300 });
    cleanups.push(() => queue.close(), () => sim.close());
    const texts = [SEAT, '请专家到2号评标室', SEAT];
    const results = await Promise.all(texts.map((t) => queue.speak(t, { volume: 8, digitsAsNumbers: true })));
    expect(results.map((r) => r.outcome)).toEqual(['spoken', 'spoken', 'spoken']);
    expect(sim.spoken.map((u) => u.text)).toEqual(texts);
    expect(sim.overlaps).toBe(0);
    for (let i = 1; i < sim.spoken.length; i++) {
      expect(sim.spoken[i]?.startedAt ?? 0).toBeGreaterThanOrEqual(sim.spoken[i - 1]?.endedAt ?? Infinity);
    }
    expect(sim.spoken.every((u) => !u.interrupted)).toBe(true);
  });
});
