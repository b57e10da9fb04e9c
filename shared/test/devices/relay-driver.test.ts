import { describe, expect, it } from 'vitest';
import { encodeWriteSingleCoil } from '../../src/devices/relay/modbus-rtu.ts';
import {
  RelayCrcError,
  RelayDriver,
  RelayExceptionError,
  RelayResponseError,
  RelayTimeoutError,
  type RelayTransport,
} from '../../src/devices/relay/relay-driver.ts';
import { RelaySimulator, memoryLink } from '../../src/devices/relay/relay-simulator.ts';

function rig(options: { slave?: number; sim?: RelaySimulator } = {}) {
  const link = memoryLink();
  const sim = options.sim ?? new RelaySimulator({ slave: 1, coils: 4, inputs: 8 });
  sim.attach(link.slave);
  const driver = new RelayDriver(link.master, { slave: options.slave ?? 1, timeoutMs: 100, alarmInputs: { tamper: 5, fire: 7 } });
  return { sim, driver, link };
}

/** A transport whose far end is scripted per request. */
function scripted(answer: (request: Uint8Array) => Uint8Array[]): RelayTransport {
  let cb: ((b: Uint8Array) => void) | undefined;
  return {
    write: async (bytes) => {
      for (const chunk of answer(bytes)) queueMicrotask(() => cb?.(chunk));
    },
    onData: (listener) => {
      cb = listener;
      return () => {
        cb = undefined;
      };
    },
  };
}

describe('RelayDriver ↔ RelaySimulator (in memory)', () => {
  it('pulse: coil on, held, off; the simulator records the pulse with timestamps', async () => {
    const { sim, driver } = rig();
    const result = await driver.pulse(2, 50);
    expect(result.heldMs).toBeGreaterThanOrEqual(45);
    expect(sim.getCoil(2)).toBe(false);
    expect(sim.coilChanges.map((c) => [c.coil, c.on])).toEqual([
      [2, true],
      [2, false],
    ]);
    expect(sim.pulses).toHaveLength(1);
    expect(sim.pulses[0]?.ms).toBeGreaterThanOrEqual(45); // at least the 50 ms asked for; no upper bound on a loaded machine
  });

  it('reads the passage sensor, the alarms and the coils', async () => {
    const { sim, driver } = rig();
    expect(await driver.readPassageSensor(0)).toBe(false);
    sim.setInput(0, true);
    sim.setInput(7, true);
    expect(await driver.readPassageSensor(0)).toBe(true);
    expect(await driver.readAlarms()).toEqual({ tamper: false, fire: true });
    await driver.writeCoil(1, true);
    expect(await driver.readCoils(0, 4)).toEqual([false, true, false, false]);
  });

  it('serialises concurrent calls on the half-duplex line', async () => {
    const { sim, driver } = rig();
    sim.setInput(3, true);
    const [a, b, c] = await Promise.all([driver.pulse(0, 10), driver.readDiscreteInputs(0, 8), driver.pulse(1, 10)]);
    expect(a.coil).toBe(0);
    expect(b[3]).toBe(true);
    expect(c.coil).toBe(1);
    // One request on the wire at a time; reads and the other pulse may run while a coil is held.
    expect(sim.requests.map((r) => r.fc)).toEqual([5, 2, 5, 5, 5]);
    expect(sim.pulses.map((p) => p.coil).sort()).toEqual([0, 1]);
    expect(sim.getCoil(0) || sim.getCoil(1)).toBe(false);
  });

  it('maps exception responses to RelayExceptionError', async () => {
    const { driver } = rig();
    const error = await driver.pulse(9, 10).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RelayExceptionError);
    expect(error).toMatchObject({ functionCode: 5, code: 2 });
    await expect(driver.readDiscreteInputs(6, 4)).rejects.toMatchObject({ code: 2 });
  });

  it('times out when the board is silent, and goes on working afterwards', async () => {
    const { sim, driver } = rig();
    sim.mute = true;
    await expect(driver.writeCoil(0, true)).rejects.toBeInstanceOf(RelayTimeoutError);
    sim.mute = false;
    await driver.writeCoil(0, false);
    expect(sim.getCoil(0)).toBe(false);
  });

  it('ignores a board on another address (time-out)', async () => {
    const { driver } = rig({ slave: 2 });
    await expect(driver.readPassageSensor(0)).rejects.toBeInstanceOf(RelayTimeoutError);
  });

  it('reports a CRC error when only corrupted answers arrive', async () => {
    const transport = scripted((req) => {
      const bad = req.slice();
      bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) ^ 0xff;
      return [bad];
    });
    const driver = new RelayDriver(transport, { timeoutMs: 50 });
    await expect(driver.writeCoil(0, true)).rejects.toBeInstanceOf(RelayCrcError);
  });

  it('finds the answer behind line noise, split over chunks', async () => {
    const transport = scripted((req) => [Uint8Array.of(0x00, 0xff, 0x01), req.slice(0, 3), req.slice(3)]);
    const driver = new RelayDriver(transport, { timeoutMs: 100 });
    await driver.writeCoil(0, true);
  });

  it('rejects a CRC-valid echo that does not match the request', async () => {
    const transport = scripted(() => [encodeWriteSingleCoil(1, 3, true)]);
    const driver = new RelayDriver(transport, { timeoutMs: 100 });
    await expect(driver.writeCoil(0, true)).rejects.toBeInstanceOf(RelayResponseError);
  });

  it('skips a late answer to a timed-out request and takes the right one', async () => {
    let n = 0;
    let late: Uint8Array | undefined;
    const transport = scripted((req) => {
      n++;
      if (n === 1) {
        late = req.slice(); // the board answers the first request too late
        return [];
      }
      return late ? [late, req.slice()] : [req.slice()];
    });
    const driver = new RelayDriver(transport, { timeoutMs: 50 });
    await expect(driver.writeCoil(0, true)).rejects.toBeInstanceOf(RelayTimeoutError);
    await driver.writeCoil(0, false);
  });

  it('keeps a silent gap between the last answer and the next request', async () => {
    const { sim, driver } = rig();
    const sent: number[] = [];
    const origReceive = sim.receive.bind(sim);
    sim.receive = (bytes) => {
      sent.push(performance.now());
      return origReceive(bytes);
    };
    await driver.readCoils(0, 1);
    await driver.readCoils(0, 1);
    expect((sent[1] ?? 0) - (sent[0] ?? 0)).toBeGreaterThanOrEqual(3.5);
  });

  it('still switches the coil off when the wait fails', async () => {
    const link = memoryLink();
    const sim = new RelaySimulator();
    sim.attach(link.slave);
    const driver = new RelayDriver(link.master, { sleep: () => Promise.reject(new Error('aborted')) });
    await expect(driver.pulse(0, 100)).rejects.toThrow('aborted');
    expect(sim.coilChanges.map((c) => c.on)).toEqual([true, false]);
  });
});
