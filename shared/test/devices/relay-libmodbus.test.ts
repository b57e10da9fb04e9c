/**
 * Integration against an independent Modbus implementation: a libmodbus RTU slave, compiled here
 * from a C file this test writes, on one end of a socat pty pair; our driver on the other end through
 * serialport at 9600 8N1. Also runs our own simulator over a pty pair, so both sides are exercised
 * on a real tty. Fails, naming the apt packages, when cc, pkg-config, libmodbus-dev or socat is missing.
 */
import { serialPortTransport } from '../../src/devices/serial-port-transport.node.ts';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../../tests/support/require-tool.node.ts';
import { encodeException, encodeReadBitsResponse, encodeWriteSingleCoilResponse, toHex } from '../../src/devices/relay/modbus-rtu.ts';
import { RelayDriver, RelayExceptionError } from '../../src/devices/relay/relay-driver.ts';
import { RelaySimulator } from '../../src/devices/relay/relay-simulator.ts';

/** Discrete inputs the libmodbus slave holds, input 0 first. */
const INPUT_PATTERN = '10110010';

const SLAVE_C = String.raw`
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <modbus.h>

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: slave DEVICE INPUTS\n"); return 1; }
  setvbuf(stdout, NULL, _IOLBF, 0);
  modbus_t *ctx = modbus_new_rtu(argv[1], 9600, 'N', 8, 1);
  if (ctx == NULL) { fprintf(stderr, "modbus_new_rtu: %s\n", modbus_strerror(errno)); return 2; }
  modbus_set_slave(ctx, 1);
  if (modbus_connect(ctx) == -1) { fprintf(stderr, "modbus_connect: %s\n", modbus_strerror(errno)); return 3; }
  modbus_mapping_t *map = modbus_mapping_new(8, 8, 0, 0);
  if (map == NULL) { fprintf(stderr, "modbus_mapping_new: %s\n", modbus_strerror(errno)); return 4; }
  size_t n = strlen(argv[2]);
  for (size_t i = 0; i < n && i < 8; i++) map->tab_input_bits[i] = argv[2][i] == '1';
  uint8_t prev[8] = {0};
  uint8_t query[MODBUS_RTU_MAX_ADU_LENGTH];
  printf("ready\n");
  for (;;) {
    int rc = modbus_receive(ctx, query);
    if (rc > 0) {
      modbus_reply(ctx, query, rc, map);
      for (int i = 0; i < 8; i++) {
        if (map->tab_bits[i] != prev[i]) {
          prev[i] = map->tab_bits[i];
          printf("coil %d %d\n", i, prev[i] ? 1 : 0);
        }
      }
    } else if (rc == -1) {
      if (errno == EBADF || errno == EIO) { fprintf(stderr, "modbus_receive: %s\n", modbus_strerror(errno)); return 5; }
      modbus_flush(ctx);
    }
  }
}
`;

interface PtyPair {
  readonly a: string;
  readonly b: string;
  readonly socat: ChildProcess;
}

async function waitFor(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function ptyPair(dir: string, name: string): Promise<PtyPair> {
  const a = join(dir, `${name}-a`);
  const b = join(dir, `${name}-b`);
  const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  socat.stderr?.resume();
  await waitFor('socat pty links', () => existsSync(a) && existsSync(b));
  return { a, b, socat };
}

async function openPort(path: string): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  return port;
}

const closePort = (port: SerialPort | undefined): Promise<void> =>
  new Promise((resolve) => (port?.isOpen ? port.close(() => resolve()) : resolve()));

function stop(child: ChildProcess | undefined): void {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
}

describe('relay driver against a libmodbus RTU slave over a socat pty pair', () => {
  beforeAll(() => requireTool('libmodbus', 'socat'));
  let dir = '';
  let pair: PtyPair | undefined;
  let slave: ChildProcess | undefined;
  let port: SerialPort | undefined;
  let driver: RelayDriver;
  const lines: string[] = [];
  /** Every byte libmodbus sent us, to compare with our own response encoders. */
  let wire: number[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kawei-relay-'));
    writeFileSync(join(dir, 'slave.c'), SLAVE_C);
    execFileSync('sh', ['-c', 'cc -o slave slave.c $(pkg-config --cflags --libs libmodbus)'], { cwd: dir, stdio: 'pipe' });
    pair = await ptyPair(dir, 'lm');
    slave = spawn(join(dir, 'slave'), [pair.a, INPUT_PATTERN], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    slave.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    let partial = '';
    slave.stdout?.on('data', (d: Buffer) => {
      partial += d.toString();
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
    });
    await waitFor(`libmodbus slave ready (stderr: ${stderr})`, () => lines.includes('ready') || slave?.exitCode !== null);
    if (!lines.includes('ready')) throw new Error(`libmodbus slave exited ${String(slave.exitCode)}: ${stderr}`);
    port = await openPort(pair.b);
    port.on('data', (chunk: Buffer) => wire.push(...chunk));
    driver = new RelayDriver(serialPortTransport(port), { slave: 1, timeoutMs: 1000, alarmInputs: { tamper: 2, fire: 6 } });
  });

  afterAll(async () => {
    driver?.close();
    await closePort(port);
    stop(slave);
    stop(pair?.socat);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a pulse on coil 0 is seen by libmodbus: on, then off', async () => {
    const result = await driver.pulse(0, 150);
    expect(result.heldMs).toBeGreaterThanOrEqual(140);
    await waitFor('libmodbus to report coil 0 off', () => lines.includes('coil 0 0'), 2000);
    const coil0 = lines.filter((l) => l.startsWith('coil 0 '));
    expect(coil0).toEqual(['coil 0 1', 'coil 0 0']);
  });

  it('reads the discrete inputs the slave mapping holds', async () => {
    const expected = [...INPUT_PATTERN].map((c) => c === '1');
    expect(await driver.readDiscreteInputs(0, 8)).toEqual(expected);
    expect(await driver.readDiscreteInputs(2, 5)).toEqual(expected.slice(2, 7));
    expect(await driver.readPassageSensor(0)).toBe(true);
    expect(await driver.readPassageSensor(1)).toBe(false);
    expect(await driver.readAlarms()).toEqual({ tamper: true, fire: true });
  });

  it("libmodbus's response bytes equal our encoders' (the simulator speaks the same bytes)", async () => {
    const expected = [...INPUT_PATTERN].map((c) => c === '1');
    wire = [];
    await driver.readDiscreteInputs(0, 8);
    expect(toHex(Uint8Array.from(wire))).toBe(toHex(encodeReadBitsResponse(1, 2, expected)));
    wire = [];
    await driver.writeCoil(5, true);
    expect(toHex(Uint8Array.from(wire))).toBe(toHex(encodeWriteSingleCoilResponse(1, 5, true)));
    wire = [];
    await driver.writeCoil(5, false);
    expect(toHex(Uint8Array.from(wire))).toBe('01 05 00 05 00 00 DD CB');
    wire = [];
    await driver.readCoils(7, 2).catch(() => undefined);
    expect(toHex(Uint8Array.from(wire))).toBe(toHex(encodeException(1, 1, 2)));
  });

  it('writes and reads back coils, and maps libmodbus exceptions', async () => {
    await driver.writeCoil(3, true);
    expect(await driver.readCoils(0, 8)).toEqual([false, false, false, true, false, false, false, false]);
    await driver.writeCoil(3, false);
    await waitFor('libmodbus to report coil 3 off', () => lines.includes('coil 3 0'), 2000);
    // libmodbus answers an address beyond its mapping with exception 02 (illegal data address).
    const error = await driver.readDiscreteInputs(6, 4).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RelayExceptionError);
    expect(error).toMatchObject({ functionCode: 2, code: 2 });
    await expect(driver.writeCoil(20, true)).rejects.toMatchObject({ functionCode: 5, code: 2 });
  });
});

describe('relay driver against our simulator over a socat pty pair', () => {
  beforeAll(() => requireTool('socat'));
  let dir = '';
  let pair: PtyPair | undefined;
  let master: SerialPort | undefined;
  let far: SerialPort | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kawei-relay-sim-'));
    pair = await ptyPair(dir, 'sim');
    far = await openPort(pair.a);
    master = await openPort(pair.b);
  });

  afterAll(async () => {
    await closePort(master);
    await closePort(far);
    stop(pair?.socat);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('pulses and reads inputs on a real tty (9600 8N1 set; a pty does not pace bytes at the baud rate)', async () => {
    if (!far || !master) throw new Error('ports not open');
    const sim = new RelaySimulator({ slave: 1, coils: 4, inputs: 8 });
    sim.attach(serialPortTransport(far));
    sim.setInput(4, true);
    const driver = new RelayDriver(serialPortTransport(master), { timeoutMs: 1000 });
    await driver.pulse(1, 100);
    expect(sim.pulses.map((p) => p.coil)).toEqual([1]);
    expect(sim.pulses[0]?.ms).toBeGreaterThanOrEqual(90);
    expect(await driver.readPassageSensor(4)).toBe(true);
    driver.close();
  });
});
