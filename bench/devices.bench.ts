/**
 * `npm run bench -- devices`: the serial device layer.
 * - Fuzz: every protocol parser fed ≥ 1,000,000 frames (valid ones embedded in garbage, random
 *   chunking); crashes must be 0; the share of embedded frames found is reported.
 * - Latencies over real socat pty pairs at each device's real baud rate, through the port manager,
 *   with the device simulators on the other end: LED update (show → ack, BX at 57600), TTS enqueue →
 *   first byte on the wire (SYN6288 at 9600), relay coil write round trip (Modbus RTU at 9600),
 *   reconnect after an unplug (socat restarted → port up again).
 * - Baseline, same run and same pty pairs: a bare echo round trip of a frame of the same length, so
 *   the ratios say what the drivers add on top of the wire.
 */
import { performance } from 'node:perf_hooks';
import { createBxProtocol } from '../led-driver/src/led-display.ts';
import { LedDriver } from '../led-driver/src/led-driver.ts';
import { LedPanelSimulator } from '../led-driver/src/simulator/led-panel-simulator.ts';
import { attachLedPanel } from '../led-driver/src/simulator/led-panel-serial.ts';
import type { ByteTransport } from '@kawei/shared/devices/byte-transport.ts';
import { ManagedPort } from '@kawei/shared/devices/managed-port.node.ts';
import { type PtyPair, startPtyPair } from '@kawei/shared/devices/pty-pair.node.ts';
import { RelayDriver } from '@kawei/shared/devices/relay/relay-driver.ts';
import { RelaySimulator } from '@kawei/shared/devices/relay/relay-simulator.ts';
import { pacedTransport, wireTimeMs } from '@kawei/shared/devices/uart-pacing.ts';
import { Syn6288Simulator } from '@kawei/shared/devices/voice/simulators/syn6288-simulator.ts';
import { VoiceQueue, syn6288Chip } from '@kawei/shared/devices/voice/voice-queue.ts';
import { type BenchResult, summarise } from './bench.ts';
import { FUZZ_TARGETS, fuzz } from './devices/fuzz-targets.ts';

const FUZZ_FRAMES_TARGET = 1_000_000;
const SAMPLES = 60;

/**
 * A pty pair with the port manager on both ends; `paced` ends deliver at the UART's real speed
 * (see uart-pacing.ts: a pty alone moves bytes at memory speed whatever the baud rate).
 */
async function onPair<T>(
  baud: number,
  body: (ends: { host: ManagedPort; device: ManagedPort; pacedHost: ByteTransport; pacedDevice: ByteTransport }, pair: PtyPair) => Promise<T>,
): Promise<T> {
  const pair = await startPtyPair();
  const host = new ManagedPort({ device: 'bench-host', kind: 'relay', path: pair.a, baudRate: baud });
  const device = new ManagedPort({ device: 'bench-device', kind: 'relay', path: pair.b, baudRate: baud });
  await host.start();
  await device.start();
  try {
    const format = { baudRate: baud };
    return await body({ host, device, pacedHost: pacedTransport(host, format), pacedDevice: pacedTransport(device, format) }, pair);
  } finally {
    await host.close();
    await device.close();
    await pair.close();
  }
}

/**
 * `requestLength` bytes out, and once they have all arrived, `replyLength` bytes back: the wire and
 * the pty, no driver, parser or simulator.
 */
async function wireRoundTrip(host: ByteTransport, device: ByteTransport, requestLength: number, replyLength: number): Promise<number[]> {
  let arrived = 0;
  const offEcho = device.onData((b) => {
    arrived += b.length;
    if (arrived >= requestLength) {
      arrived = 0;
      void device.write(new Uint8Array(replyLength).fill(0xaa));
    }
  });
  const length = replyLength;
  const samples: number[] = [];
  const frame = new Uint8Array(requestLength).fill(0x55);
  for (let i = 0; i < SAMPLES; i++) {
    let got = 0;
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      const off = host.onData((b) => {
        got += b.length;
        if (got >= length) {
          off();
          resolve();
        }
      });
      void host.write(frame);
    });
    samples.push(performance.now() - t0);
  }
  offEcho();
  return samples;
}

function runFuzz(): Record<string, number | string> {
  const perTarget = Math.ceil(FUZZ_FRAMES_TARGET / 2 / FUZZ_TARGETS.length);
  let frames = 0;
  let crashes = 0;
  let embedded = 0;
  let found = 0;
  const firstCrash: string[] = [];
  const perTargetFound: Record<string, number> = {};
  const t0 = performance.now();
  FUZZ_TARGETS.forEach((t, i) => {
    const o = fuzz(t, perTarget, 0x5eed + i);
    frames += o.frames;
    crashes += o.crashes;
    embedded += o.embedded;
    found += o.found;
    if (o.firstCrash) firstCrash.push(o.firstCrash);
    perTargetFound[`fuzz_found_ratio_${t.name.replace(/-/g, '_')}`] = Math.round((o.found / o.embedded) * 10_000) / 10_000;
  });
  return {
    fuzz_frames: frames,
    fuzz_crashes: crashes,
    fuzz_embedded_found_ratio: Math.round((found / embedded) * 10_000) / 10_000,
    fuzz_seconds: Math.round(performance.now() - t0) / 1000,
    ...perTargetFound,
    ...(firstCrash.length > 0 ? { fuzz_first_crash: firstCrash.join('; ') } : {}),
  };
}

export async function run(): Promise<BenchResult> {
  const fuzzMetrics = runFuzz();

  // LED: BX at 57600, show → ack, through the driver and the managed port.
  const led = await onPair(57600, async ({ host, pacedHost, pacedDevice }) => {
    const panel = new LedPanelSimulator({ protocol: 'onbon-bx' });
    const sim = attachLedPanel(panel, pacedDevice);
    const driver = new LedDriver(pacedHost, { protocol: createBxProtocol(), health: host });
    const samples: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const t0 = performance.now();
      const r = await driver.show(0, `3号评标室 A${(i % 9) + 1}`);
      if (!r.ok) throw new Error(`LED update failed: ${r.error ?? ''}`);
      samples.push(performance.now() - t0);
    }
    const frameLength = createBxProtocol().encodeShowText(0, '3号评标室 A5').length;
    const replyLength = new LedPanelSimulator({ protocol: 'onbon-bx' }).receive(createBxProtocol().encodeShowText(0, '3号评标室 A5')).length;
    driver.close();
    sim.close();
    const echo = await wireRoundTrip(pacedHost, pacedDevice, frameLength, replyLength);
    return { led: summarise(samples), echo: summarise(echo), frameLength };
  });

  // TTS: enqueue → first byte of the synthesis frame at the chip, SYN6288 at 9600.
  const tts = await onPair(9600, async ({ device, pacedHost, pacedDevice }) => {
    const sim = new Syn6288Simulator(pacedDevice, { msPerChar: 1 });
    const queue = new VoiceQueue(pacedHost, syn6288Chip, { pollIntervalMs: 10, replyTimeoutMs: 300 });
    const samples: number[] = [];
    for (let i = 0; i < 20; i++) {
      let firstByteAt = 0;
      const off = device.onData(() => {
        if (firstByteAt === 0) firstByteAt = performance.now();
      });
      const t0 = performance.now();
      const r = await queue.speak('请到3号评标室A5号卡位');
      off();
      if (r.outcome !== 'spoken') throw new Error(`TTS failed: ${r.outcome}`);
      samples.push(firstByteAt - t0);
    }
    queue.close();
    sim.close();
    return summarise(samples);
  });

  // Relay: one write-coil round trip (request 8 bytes, echo 8 bytes) at 9600 8N1.
  const relay = await onPair(9600, async ({ pacedHost, pacedDevice }) => {
    const sim = new RelaySimulator();
    sim.attach(pacedDevice);
    const driver = new RelayDriver(pacedHost, { slave: 1 });
    const samples: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const t0 = performance.now();
      await driver.writeCoil(0, i % 2 === 0);
      samples.push(performance.now() - t0);
    }
    const p0 = performance.now();
    await driver.pulse(0, 0);
    const pulseMs = performance.now() - p0;
    driver.close();
    const echo = await wireRoundTrip(pacedHost, pacedDevice, 8, 8);
    return { relay: summarise(samples), echo: summarise(echo), pulseMs };
  });

  // Reconnect: socat stopped and started again; time from the restart until the port is up.
  const reconnect = await onPair(9600, async ({ host }, pair) => {
    const samples: number[] = [];
    for (let i = 0; i < 10; i++) {
      await pair.unplug();
      const end = Date.now() + 2000;
      while (host.health.state !== 'down' && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
      const t0 = performance.now();
      await pair.replug();
      await host.waitUntilUp(5000);
      samples.push(performance.now() - t0);
    }
    return summarise(samples);
  });

  return {
    metrics: {
      ...fuzzMetrics,
      led_update_ms: led.led.p50,
      led_update_ms_p95: led.led.p95,
      led_frame_bytes: led.frameLength,
      tts_enqueue_to_wire_ms: tts.p50,
      tts_enqueue_to_wire_ms_p95: tts.p95,
      relay_pulse_roundtrip_ms: relay.relay.p50,
      relay_pulse_roundtrip_ms_p95: relay.relay.p95,
      relay_pulse_zero_hold_ms: Math.round(relay.pulseMs * 1000) / 1000,
      relay_baud: 9600,
      led_baud: 57600,
      reconnect_ms: reconnect.p50,
      reconnect_ms_max: Math.max(reconnect.p95, reconnect.p99),
      led_vs_echo_ratio: Math.round((led.led.p50 / led.echo.p50) * 100) / 100,
      relay_vs_echo_ratio: Math.round((relay.relay.p50 / relay.echo.p50) * 100) / 100,
      relay_wire_time_ms: Math.round(wireTimeMs(16, { baudRate: 9600 }) * 1000) / 1000,
    },
    baseline: {
      description: 'bare round trip over the same pty pair, paced at the same baud rate: as many bytes out as the request and back as the reply, no driver, parser or simulator',
      metrics: {
        led_wire_round_trip_ms: led.echo.p50,
        relay_wire_round_trip_ms: relay.echo.p50,
      },
    },
    notes:
      'Real socat ptys with the port manager on both ends. A pty moves bytes at memory speed whatever the baud rate, so every write is paced to the UART time of its bytes (10 bits per byte, 8N1: 1.04 ms per byte at 9600, 0.17 ms at 57600) before it is delivered.',
  };
}
