import { describe, expect, it } from 'vitest';
import {
  encodeCommand,
  encodeResponse,
  parseReadPayload,
  RequestParser,
  ResponseParser,
  Sw3,
  sw3Meaning,
  type ResponseFrame,
} from '../../src/devices/idcard/idcard-protocol.ts';

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/).map((h) => parseInt(h, 16)));
const frames = (p: ResponseParser, bytes: Uint8Array): ResponseFrame[] =>
  p.push(bytes).flatMap((e) => (e.kind === 'frame' ? [e.frame] : []));

describe('ID card reader requests, written out by hand', () => {
  // The check byte is the XOR of the length, command and parameter bytes (not the preamble).
  it('encodes find, select, read and SAM status', () => {
    expect(encodeCommand('FindCard')).toEqual(hex('AA AA AA 96 69 00 03 20 01 22'));
    expect(encodeCommand('SelectCard')).toEqual(hex('AA AA AA 96 69 00 03 20 02 21'));
    expect(encodeCommand('ReadTextPhoto')).toEqual(hex('AA AA AA 96 69 00 03 30 01 32'));
    expect(encodeCommand('SamStatus')).toEqual(hex('AA AA AA 96 69 00 03 11 FF ED'));
    expect(encodeCommand('ResetSam')).toEqual(hex('AA AA AA 96 69 00 03 01 FF FD'));
  });

  it('parses requests on the device side', () => {
    const p = new RequestParser();
    const got = p.push(hex('AA AA AA 96 69 00 03 20 01 22 AA AA AA 96 69 00 03 30 01 32'));
    expect(got.map((r) => [r.command, r.parameter])).toEqual([
      [0x20, 0x01],
      [0x30, 0x01],
    ]);
  });
});

describe('ID card reader responses, written out by hand', () => {
  it('parses short status answers', () => {
    const p = new ResponseParser();
    // find OK 9F; no card 80; select OK 90; select failed 81. Check = 00^04^00^00^SW3.
    const got = frames(
      p,
      hex(`AA AA AA 96 69 00 04 00 00 9F 9B
           AA AA AA 96 69 00 04 00 00 80 84
           AA AA AA 96 69 00 04 00 00 90 94
           AA AA AA 96 69 00 04 00 00 81 85`),
    );
    expect(got.map((f) => f.sw3)).toEqual([Sw3.FindOk, Sw3.FindFailed, Sw3.Ok, Sw3.SelectFailed]);
    expect(got.every((f) => f.data.length === 0)).toBe(true);
    expect(encodeResponse(Sw3.FindOk)).toEqual(hex('AA AA AA 96 69 00 04 00 00 9F 9B'));
  });

  it('parses a 1,295-byte read answer with text and photo lengths', () => {
    const head = hex('AA AA AA 96 69 05 08 00 00 90 01 00 04 00'); // 1288 = 3 SW + 4 lengths + 256 + 1024 + 1
    const text = new Uint8Array(256).fill(0x20);
    const photo = new Uint8Array(1024).map((_, i) => i & 0xff);
    const body = new Uint8Array(head.length + 256 + 1024 + 1);
    body.set(head, 0);
    body.set(text, head.length);
    body.set(photo, head.length + 256);
    let x = 0;
    for (let i = 5; i < body.length - 1; i++) x ^= body[i] ?? 0;
    body[body.length - 1] = x;
    expect(body.length).toBe(1295);
    const [f] = frames(new ResponseParser(), body);
    expect(f?.sw3).toBe(Sw3.Ok);
    const payload = parseReadPayload(f?.data ?? new Uint8Array());
    expect(payload?.text).toEqual(text);
    expect(payload?.photo).toEqual(photo);
  });

  it('assembles a frame delivered one byte at a time', () => {
    const p = new ResponseParser();
    const all: ResponseFrame[] = [];
    for (const b of hex('01 02 AA AA AA 96 69 00 04 00 00 9F 9B')) all.push(...frames(p, Uint8Array.of(b)));
    expect(all.map((f) => f.sw3)).toEqual([0x9f]);
  });

  it('rejects a bad check byte and resynchronises on the next preamble', () => {
    const p = new ResponseParser();
    const events = p.push(hex('AA AA AA 96 69 00 04 00 00 9F 00 AA AA AA 96 69 00 04 00 00 90 94'));
    expect(events.some((e) => e.kind === 'discarded' && e.reason === 'bad-check')).toBe(true);
    expect(events.flatMap((e) => (e.kind === 'frame' ? [e.frame.sw3] : []))).toEqual([0x90]);
  });

  it('rejects an impossible length without waiting for it', () => {
    const p = new ResponseParser();
    const got = frames(p, hex('AA AA AA 96 69 FF FF AA AA AA 96 69 00 04 00 00 90 94'));
    expect(got.map((f) => f.sw3)).toEqual([0x90]);
  });

  it('does not let a stalled garbage header hold back a complete frame after it', () => {
    const p = new ResponseParser();
    // The garbage header claims 0x0100 bytes; the real find-OK answer follows well before that.
    const got = frames(p, hex('AA AA AA 96 69 01 00 00 AA AA AA 96 69 00 04 00 00 9F 9B'));
    expect(got.map((f) => f.sw3)).toEqual([0x9f]);
    expect(p.buffered).toBe(0);
  });

  it('names status codes in Chinese and English', () => {
    expect(sw3Meaning(0x80).zh).toContain('寻找证/卡失败');
    expect(sw3Meaning(0x9f).en).toBe('card found');
    expect(sw3Meaning(0x7e).en).toBe('unknown status 0x7E');
  });
});
