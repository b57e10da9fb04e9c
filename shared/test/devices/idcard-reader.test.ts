import { afterEach, describe, expect, it, vi } from 'vitest';
import { IdCardError, IdCardReader } from '../../src/devices/idcard/idcard-reader.ts';
import { IdCardSimulator, TEST_CARD } from '../../src/devices/idcard/idcard-simulator.ts';
import { encodeResponse } from '../../src/devices/idcard/idcard-protocol.ts';
import type { WltPhotoDecoder } from '../../src/devices/idcard/wlt-decoder.ts';

// A test that steps the clock and fails midway must not leave the fake clock to the next one.
afterEach(() => vi.useRealTimers());

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

async function expectCode(p: Promise<unknown>, code: string): Promise<IdCardError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(IdCardError);
  expect((err as IdCardError).code).toBe(code);
  return err as IdCardError;
}

describe('ID card reader against the simulator', () => {
  it('reads the card on the reader: find, select, read; photo null without a decoder', async () => {
    const sim = new IdCardSimulator({ chunkSize: 64 });
    sim.placeCard(TEST_CARD);
    const reader = new IdCardReader(sim.hostTransport(), { timeoutMs: 500 });
    const card = await reader.readCard();
    expect(sim.received.map(hex)).toEqual([
      'aaaaaa966900032001' + '22',
      'aaaaaa966900032002' + '21',
      'aaaaaa966900033001' + '32',
    ]);
    expect(card.text).toMatchObject({
      name: '测试样卡',
      sex: '女',
      nation: '汉',
      birth: '2000-01-01',
      idNumber: '110105200001019993',
      idNumberValid: true,
      validFrom: '2020-01-01',
      validTo: '2030-01-01',
    });
    expect(card.rawText).toHaveLength(256);
    expect(card.wlt).toHaveLength(1024);
    expect(card.photo).toBeNull();
    expect(card.photoError).toBeNull();
  });

  it('hands the WLT to a configured decoder plug-in, and survives a failing one', async () => {
    const sim = new IdCardSimulator();
    sim.placeCard();
    const seen: number[] = [];
    const decoder: WltPhotoDecoder = {
      decode: async (wlt) => {
        seen.push(wlt.length);
        return { width: 102, height: 126, bgr: new Uint8Array(102 * 126 * 3) };
      },
    };
    const card = await new IdCardReader(sim.hostTransport(), { photoDecoder: decoder }).readCard();
    expect(seen).toEqual([1024]);
    expect(card.photo?.width).toBe(102);

    const failing: WltPhotoDecoder = { decode: () => Promise.reject(new Error('licence missing')) };
    const card2 = await new IdCardReader(sim.hostTransport(), { photoDecoder: failing }).readCard();
    expect(card2.photo).toBeNull();
    expect(card2.photoError).toBe('licence missing');
    expect(card2.text.name).toBe('测试样卡');
  });

  it('reports no card (SW3 80) in Chinese and English', async () => {
    const sim = new IdCardSimulator();
    const err = await expectCode(new IdCardReader(sim.hostTransport()).readCard(), 'NO_CARD');
    expect(err.sw3).toBe(0x80);
    expect(err.zh).toContain('未放置身份证');
    expect(err.en).toContain('no ID card');
    expect(sim.received).toHaveLength(1);
  });

  it('reports a card removed mid-read', async () => {
    const sim = new IdCardSimulator();
    sim.placeCard();
    sim.beforeRead = () => sim.removeCard();
    const err = await expectCode(new IdCardReader(sim.hostTransport()).readCard(), 'CARD_REMOVED');
    expect(err.step).toBe('ReadTextPhoto');
    // find, select, read (answered 41), then a find probe answered 80.
    expect(sim.received).toHaveLength(4);
  });

  it('times out when the module is silent, and works again afterwards', async () => {
    const sim = new IdCardSimulator();
    sim.placeCard();
    sim.mute = true;
    const reader = new IdCardReader(sim.hostTransport(), { timeoutMs: 50 });
    // Its own 50 ms, not the 1 s default: the clock is stepped by the test, not read off the machine.
    vi.useFakeTimers();
    let settled = false;
    const failed = expectCode(reader.readCard(), 'TIMEOUT').finally(() => (settled = true));
    await vi.advanceTimersByTimeAsync(49);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(settled).toBe(true);
    vi.useRealTimers();
    expect((await failed).step).toBe('FindCard');
    sim.mute = false;
    expect((await reader.readCard()).text.idNumberValid).toBe(true);
  });

  it('finds the answers through line noise and reports discarded bytes', async () => {
    const sim = new IdCardSimulator({ chunkSize: 7 });
    sim.placeCard();
    const reader = new IdCardReader(sim.hostTransport());
    const transport = sim.hostTransport();
    const noisy = {
      write: async (b: Uint8Array) => {
        await transport.write(b);
        sim.emit(Uint8Array.of(0x00, 0xaa, 0xaa, 0x13, 0x96, 0x69, 0xff));
      },
      onData: transport.onData,
    };
    const r2 = new IdCardReader(noisy);
    const card = await r2.readCard();
    expect(card.text.name).toBe('测试样卡');
    expect(r2.discardedBytes).toBeGreaterThan(0);
    reader.close();
    r2.close();
  });

  it('refuses a second read while one is in progress, and checks the SAM', async () => {
    const sim = new IdCardSimulator({ latencyMs: 5 });
    sim.placeCard();
    const reader = new IdCardReader(sim.hostTransport());
    const first = reader.readCard();
    await expectCode(reader.readCard(), 'BUSY');
    await first;
    expect(await reader.samStatus()).toBe(true);
    reader.close();
    await expectCode(reader.readCard(), 'CLOSED');
  });

  it('ignores a late answer to a timed-out command instead of taking it for the next answer', async () => {
    const sim = new IdCardSimulator();
    sim.placeCard();
    const reader = new IdCardReader(sim.hostTransport());
    const transport = sim.hostTransport();
    // Before each real answer arrives, a stale find-OK (9F) answer shows up.
    const stale = encodeResponse(0x9f);
    const r2 = new IdCardReader({
      write: async (b) => {
        await transport.write(b);
        sim.emit(stale);
      },
      onData: transport.onData,
    });
    const card = await r2.readCard();
    expect(card.text.idNumberValid).toBe(true);
    expect(r2.unexpectedFrames).toBeGreaterThanOrEqual(2); // during select and read
    reader.close();
    r2.close();
  });

  it('waits for a card to be placed, then reads it; can be cancelled', async () => {
    const sim = new IdCardSimulator();
    const reader = new IdCardReader(sim.hostTransport());
    setTimeout(() => sim.placeCard(), 60);
    const card = await reader.waitForCard({ intervalMs: 10 });
    expect(card.text.name).toBe('测试样卡');
    expect(sim.received.length).toBeGreaterThan(3);

    sim.removeCard();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 40);
    await expectCode(reader.waitForCard({ intervalMs: 10, signal: ac.signal }), 'ABORTED');
  });

  it('does not retry a silent module while waiting for a card', async () => {
    const sim = new IdCardSimulator();
    sim.mute = true;
    await expectCode(new IdCardReader(sim.hostTransport(), { timeoutMs: 30 }).waitForCard({ intervalMs: 5 }), 'TIMEOUT');
  });

  it('turns a failing port write into PORT_ERROR, keeping the cause', async () => {
    const reader = new IdCardReader({ write: () => Promise.reject(new Error('EIO')), onData: () => () => undefined });
    const err = await expectCode(reader.readCard(), 'PORT_ERROR');
    expect((err.cause as Error).message).toBe('EIO');
    expect(err.zh).toContain('串口');
  });

  it('times out cleanly even when the write itself outlasts the time-out', async () => {
    const reader = new IdCardReader(
      { write: () => new Promise((r) => setTimeout(r, 80)), onData: () => () => undefined },
      { timeoutMs: 20 },
    );
    await expectCode(reader.readCard(), 'TIMEOUT');
  });

  it('answers a request with a bad check byte with SW3 10', () => {
    const sim = new IdCardSimulator();
    const [answer] = sim.handle(Uint8Array.of(0xaa, 0xaa, 0xaa, 0x96, 0x69, 0x00, 0x03, 0x20, 0x01, 0x00));
    expect(answer?.[9]).toBe(0x10);
  });
});
