/**
 * Every streaming parser of the device protocols, as a fuzz target: how to make one, how to make a
 * random valid frame, and how to recognise that frame in the parser's output. The devices benchmark
 * feeds each parser garbage with valid frames embedded, in random chunks, and counts crashes and
 * frames found. (The per-protocol property tests do the same on fewer cases and assert on each.)
 */
import iconv from 'iconv-lite';
import { AlphaParser, encodeAlphaWriteText } from '../../led-driver/src/alpha/alpha-sign.ts';
import { BxParser } from '../../led-driver/src/onbon/bx-parser.ts';
import { encodeFontDynamicAreaText } from '../../led-driver/src/onbon/bx-font-area.ts';
import { bxRequestData } from '../../led-driver/src/onbon/bx-frame.ts';
import { decodeFontDynamicAreaData } from '../../led-driver/src/onbon/bx-font-area.ts';
import { RequestParser, ResponseParser, encodeRequest as encodeIdCardRequest, encodeResponse } from '@kawei/shared/devices/idcard/idcard-protocol.ts';
import { ModbusRequestParser, ModbusResponseParser, encodeWriteSingleCoil, encodeWriteSingleCoilResponse } from '@kawei/shared/devices/relay/modbus-rtu.ts';
import { Syn6288Parser, encodeSyn6288Text } from '@kawei/shared/devices/voice/syn6288.ts';
import { Xfs5152Parser, encodeXfs5152Text } from '@kawei/shared/devices/voice/xfs5152.ts';
import { mulberry32 } from '@kawei/shared/random/mulberry32.ts';

export type Rng = () => number;

export interface FuzzTarget {
  readonly name: string;
  /** `flush` where the protocol has one: the line went idle (an inter-byte time-out). */
  make(): { push(chunk: Uint8Array): readonly unknown[]; flush?(): readonly unknown[] };
  /** A random valid frame and the test that recognises it among the parser's outputs. */
  frame(next: Rng): { bytes: Uint8Array; is(output: unknown): boolean };
}

const SEATS = ['3号评标室 A5', '5号评标室 C1', '请到3号评标室A5号卡位', '县1号评标室 B2'];
const pick = <T>(next: Rng, xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
const int = (next: Rng, n: number): number => Math.floor(next() * n);

export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  {
    name: 'onbon-bx',
    make: () => new BxParser(),
    frame(next) {
      const area = int(next, 8);
      const text = `${pick(next, SEATS)}${int(next, 100)}`;
      return {
        bytes: encodeFontDynamicAreaText(area, text),
        is: (o) => {
          const d = decodeFontDynamicAreaData(bxRequestData(o as Parameters<typeof bxRequestData>[0]));
          const a = d?.areas[0];
          return a !== undefined && a.areaId === area && iconv.decode(Buffer.from(a.text), 'gbk') === text;
        },
      };
    },
  },
  {
    name: 'alpha',
    make: () => new AlphaParser(),
    frame(next) {
      const text = `SEAT ${int(next, 1000)}`;
      return { bytes: encodeAlphaWriteText('A', text), is: (o) => (o as { text?: string }).text === text };
    },
  },
  {
    name: 'syn6288',
    make: () => new Syn6288Parser(),
    frame(next) {
      const text = `${pick(next, SEATS)}${int(next, 100)}`;
      return { bytes: encodeSyn6288Text(text), is: (o) => (o as { text?: string }).text === text };
    },
  },
  {
    name: 'xfs5152',
    make: () => new Xfs5152Parser(),
    frame(next) {
      const text = `${pick(next, SEATS)}${int(next, 100)}`;
      return { bytes: encodeXfs5152Text(text), is: (o) => (o as { text?: string }).text === text };
    },
  },
  {
    name: 'modbus-request',
    make: () => new ModbusRequestParser(),
    frame(next) {
      const slave = 1 + int(next, 247);
      const address = int(next, 16);
      const on = next() < 0.5;
      return {
        bytes: encodeWriteSingleCoil(slave, address, on),
        is: (o) => {
          const r = o as { slave?: number; address?: number; on?: boolean };
          return r.slave === slave && r.address === address && r.on === on;
        },
      };
    },
  },
  {
    name: 'modbus-response',
    make: () => new ModbusResponseParser(),
    frame(next) {
      const slave = 1 + int(next, 247);
      const address = int(next, 16);
      const on = next() < 0.5;
      return {
        bytes: encodeWriteSingleCoilResponse(slave, address, on),
        is: (o) => {
          const r = o as { kind?: string; slave?: number; address?: number; on?: boolean };
          return r.kind === 'write-coil' && r.slave === slave && r.address === address && r.on === on;
        },
      };
    },
  },
  {
    name: 'idcard-response',
    make: () => new ResponseParser(),
    frame(next) {
      const data = Uint8Array.from({ length: int(next, 64) }, () => int(next, 256));
      const sw3 = pick(next, [0x90, 0x9f, 0x80, 0x41]);
      return {
        bytes: encodeResponse(sw3, data),
        is: (o) => {
          const e = o as { kind?: string; frame?: { sw3: number; data: Uint8Array } };
          return e.kind === 'frame' && e.frame?.sw3 === sw3 && Buffer.from(e.frame.data).equals(Buffer.from(data));
        },
      };
    },
  },
  {
    name: 'idcard-request',
    make: () => new RequestParser(),
    frame(next) {
      const command = pick(next, [0x20, 0x30, 0x11, 0x12]);
      const parameter = pick(next, [0x01, 0x02, 0xff]);
      const bytes = encodeIdCardRequest(command, parameter);
      return { bytes, is: (o) => (o as { command?: number }).command === command && (o as { parameter?: number }).parameter === parameter };
    },
  },
];

export interface FuzzOutcome {
  frames: number;
  crashes: number;
  embedded: number;
  found: number;
  firstCrash?: string;
}

/**
 * `cases` rounds per target: random garbage (0–48 bytes, sometimes a protocol's own start bytes),
 * then a valid frame, then garbage, fed in random chunks (then an idle line: `flush`) to a fresh
 * parser every 64 rounds.
 * Counts every frame fed (garbage runs count as frames too: each is one malformed frame).
 */
export function fuzz(target: FuzzTarget, cases: number, seed: number): FuzzOutcome {
  const next = mulberry32(seed);
  const out: FuzzOutcome = { frames: 0, crashes: 0, embedded: 0, found: 0 };
  let parser = target.make();
  const garbage = (): Uint8Array => {
    const n = int(next, 49);
    const g = new Uint8Array(n);
    for (let i = 0; i < n; i++) g[i] = next() < 0.1 ? pick(next, [0xa5, 0x5a, 0xaa, 0x96, 0x69, 0xfd, 0x01, 0x00]) : int(next, 256);
    return g;
  };
  for (let c = 0; c < cases; c++) {
    if (c % 64 === 0) parser = target.make();
    const { bytes, is } = target.frame(next);
    const before = garbage();
    const after = garbage();
    const stream = new Uint8Array(before.length + bytes.length + after.length);
    stream.set(before, 0);
    stream.set(bytes, before.length);
    stream.set(after, before.length + bytes.length);
    out.frames += 2;
    out.embedded++;
    let hit = false;
    try {
      for (let i = 0; i < stream.length; ) {
        const n = 1 + int(next, 32);
        for (const o of parser.push(stream.subarray(i, i + n))) if (!hit && is(o)) hit = true;
        i += n;
      }
      // The line goes idle between exchanges (the host waits for an answer): a parser with an
      // inter-byte time-out drops a false start here and finds the frame it had swallowed.
      for (const o of parser.flush?.() ?? []) if (!hit && is(o)) hit = true;
    } catch (e) {
      out.crashes++;
      out.firstCrash ??= `${target.name} seed ${seed} case ${c}: ${(e as Error).message}`;
      parser = target.make();
    }
    if (hit) out.found++;
  }
  return out;
}
