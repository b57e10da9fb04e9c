/**
 * The reader and the simulator on the two ends of a socat pty pair, through serialport at 115200
 * 8N1: the bytes cross a real tty (chunking, timing). Fails, naming the apt package, without socat.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../../tests/support/require-tool.node.ts';
import { IdCardError, IdCardReader } from '../../src/devices/idcard/idcard-reader.ts';
import { attachSimulatorToPort, IDCARD_DEFAULT_BAUD, serialPortTransport } from '../../src/devices/idcard/idcard-serial.node.ts';
import { IdCardSimulator } from '../../src/devices/idcard/idcard-simulator.ts';

async function waitFor(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function openPort(path: string): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: IDCARD_DEFAULT_BAUD, dataBits: 8, parity: 'none', stopBits: 1, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  return port;
}

const closePort = (port: SerialPort | undefined): Promise<void> =>
  new Promise((resolve) => (port?.isOpen ? port.close(() => resolve()) : resolve()));

describe('ID card reader and simulator over a socat pty pair', () => {
  beforeAll(() => requireTool('socat'));
  let dir = '';
  let socat: ChildProcess | undefined;
  let host: SerialPort | undefined;
  let device: SerialPort | undefined;
  const sim = new IdCardSimulator();
  let reader: IdCardReader;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'idcard-pty-'));
    const a = join(dir, 'host');
    const b = join(dir, 'device');
    socat = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
    await waitFor('socat pty links', () => existsSync(a) && existsSync(b));
    host = await openPort(a);
    device = await openPort(b);
    attachSimulatorToPort(sim, device);
    reader = new IdCardReader(serialPortTransport(host), { timeoutMs: 1000 });
  });

  afterAll(async () => {
    reader?.close();
    await closePort(host);
    await closePort(device);
    if (socat && socat.exitCode === null && socat.signalCode === null) socat.kill('SIGTERM');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads the test card (1,295-byte answer across the tty)', async () => {
    sim.placeCard();
    const card = await reader.readCard();
    expect(card.text.name).toBe('测试样卡');
    expect(card.text.idNumberValid).toBe(true);
    expect(card.wlt).toHaveLength(1024);
  });

  it('reports no card, then a silent module as a time-out', async () => {
    sim.removeCard();
    await expect(reader.readCard()).rejects.toMatchObject({ code: 'NO_CARD' });
    sim.mute = true;
    const err = await reader.readCard().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IdCardError);
    expect((err as IdCardError).code).toBe('TIMEOUT');
    sim.mute = false;
    sim.placeCard();
    expect((await reader.readCard()).text.sex).toBe('女');
  });
});
