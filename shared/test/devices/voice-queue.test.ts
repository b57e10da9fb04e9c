import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryPipe } from '../../src/devices/voice/memory-pipe.ts';
import { Syn6288Simulator } from '../../src/devices/voice/simulators/syn6288-simulator.ts';
import type { SpokenUtterance } from '../../src/devices/voice/simulators/tts-simulator-core.ts';
import { Xfs5152Simulator } from '../../src/devices/voice/simulators/xfs5152-simulator.ts';
import { VoiceQueue, syn6288Chip, xfs5152Chip } from '../../src/devices/voice/voice-queue.ts';
import type { ByteTransport } from '../../src/devices/voice/voice-queue.ts';

// A test that steps the clock and fails midway must not leave the fake clock to the next one.
afterEach(() => vi.useRealTimers());

const SEAT = '请到3号评标室A5号卡位';

function expectNoOverlap(spoken: readonly SpokenUtterance[]): void {
  for (const u of spoken) {
    expect(u.interrupted).toBe(false);
    expect(u.endedAt).toBeDefined();
  }
  for (let i = 1; i < spoken.length; i++) {
    expect(spoken[i]?.startedAt ?? 0).toBeGreaterThanOrEqual(spoken[i - 1]?.endedAt ?? Infinity);
  }
}

const chips = [
  { chip: syn6288Chip, simulator: (port: ByteTransport) => new Syn6288Simulator(port, { msPerChar: 4 }) },
  { chip: xfs5152Chip, simulator: (port: ByteTransport) => new Xfs5152Simulator(port, { msPerChar: 4 }) },
];

describe.each(chips)('voice queue against the $chip.name simulator over an in-memory pipe', ({ chip, simulator }) => {
  it('speaks queued utterances one after another and the seat call arrives decoded', async () => {
    const [host, device] = createMemoryPipe();
    const sim = simulator(device);
    const queue = new VoiceQueue(host, chip, { pollIntervalMs: 10, replyTimeoutMs: 200 });
    const texts = [SEAT, '请专家到1号评标室签到', '开标时间到', SEAT];
    const results = await Promise.all(texts.map((t, i) => queue.speak(t, i === 0 ? { volume: 9, speed: 5, digitsAsNumbers: true } : {})));
    expect(results.map((r) => r.outcome)).toEqual(['spoken', 'spoken', 'spoken', 'spoken']);
    expect(sim.spoken.map((u) => u.text)).toEqual(texts);
    expect(sim.overlaps).toBe(0);
    expectNoOverlap(sim.spoken);
    // Each utterance lasted at least its simulated duration before the queue let the next one go.
    for (const u of sim.spoken) expect((u.endedAt ?? 0) - u.startedAt).toBeGreaterThanOrEqual([...u.text].length * 4 - 2);
    expect(sim.spoken[0]?.tags).toEqual(chip.name === 'SYN6288' ? ['[v14]', '[t3]', '[n1]'] : ['[v9]', '[s5]', '[n1]']);
    queue.close();
    sim.close();
  });

  it('gives up on an utterance after the time-out, stops the chip, and speaks the next', async () => {
    const [host, device] = createMemoryPipe();
    const sim = chip.name === 'SYN6288' ? new Syn6288Simulator(device, { msPerChar: 100 }) : new Xfs5152Simulator(device, { msPerChar: 100 });
    const queue = new VoiceQueue(host, chip, { pollIntervalMs: 10, replyTimeoutMs: 100, utteranceTimeoutMs: 150 });
    const first = queue.speak('这是一句很长很长的话');
    const second = queue.speak('好');
    expect((await first).outcome).toBe('timeout');
    expect((await second).outcome).toBe('spoken');
    expect(sim.overlaps).toBe(0);
    expect(sim.spoken.map((u) => u.text)).toEqual(['这是一句很长很长的话', '好']);
    expect(sim.spoken[0]?.interrupted).toBe(true);
    queue.close();
    sim.close();
  });
});

describe('voice queue with a silent line', () => {
  it('times out rather than hanging when nothing answers', async () => {
    const [host] = createMemoryPipe();
    const queue = new VoiceQueue(host, xfs5152Chip, { pollIntervalMs: 5, replyTimeoutMs: 20, utteranceTimeoutMs: 80 });
    // The clock is stepped by the test: the utterance ends at its own time-out, not at the machine's pace.
    vi.useFakeTimers();
    const speaking = queue.speak(SEAT);
    await vi.advanceTimersByTimeAsync(1000);
    const result = await speaking;
    vi.useRealTimers();
    expect(result.outcome).toBe('timeout');
    expect(result.endedAt - result.startedAt).toBeGreaterThanOrEqual(80);
    expect(result.endedAt - result.startedAt).toBeLessThanOrEqual(80 + 20);
    queue.close();
  });

  it('reports an encoding error for text the chip cannot take', async () => {
    const [host] = createMemoryPipe();
    const queue = new VoiceQueue(host, syn6288Chip);
    expect((await queue.speak('号'.repeat(150))).outcome).toBe('error');
    queue.close();
  });
});

describe('simulators answer the hand-written control frames', () => {
  const hex = (s: string): Uint8Array => Uint8Array.from(s.split(' ').map((b) => parseInt(b, 16)));
  const collect = (port: ByteTransport): number[] => {
    const got: number[] = [];
    port.onData((b) => got.push(...b));
    return got;
  };
  const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  /** Waits (up to 2 s, so a loaded machine does not fail the test) until `n` reply bytes are in. */
  const replies = async (got: number[], n: number): Promise<number[]> => {
    for (let waited = 0; got.length < n && waited < 2000; waited += 5) await tick(5);
    return got;
  };

  it('SYN6288: status FD 00 02 21 DE answers BUSY while speaking, pause holds, resume continues, stop ends', async () => {
    const [host, device] = createMemoryPipe();
    const sim = new Syn6288Simulator(device, { msPerChar: 50 });
    const got = collect(host);
    await host.write(hex('FD 00 0B 01 00 D3 EE D2 F4 CC EC CF C2 C1')); // 宇音天下: 4 characters, 200 ms
    await host.write(hex('FD 00 02 21 DE'));
    expect(await replies(got, 3)).toEqual([0x41, 0x41, 0x4e]);
    expect(sim.spoken[0]?.text).toBe('宇音天下');
    await host.write(hex('FD 00 02 03 FC')); // pause
    await tick(300); // longer than the whole utterance
    await host.write(hex('FD 00 02 21 DE'));
    expect((await replies(got, 6)).slice(3)).toEqual([0x41, 0x41, 0x4e]); // still busy: paused, not finished
    await host.write(hex('FD 00 02 04 FB')); // resume
    await host.write(hex('FD 00 02 02 FD')); // stop
    await host.write(hex('FD 00 02 21 DE'));
    expect((await replies(got, 10)).slice(6)).toEqual([0x41, 0x41, 0x41, 0x4f]);
    expect(sim.spoken[0]?.interrupted).toBe(true);
    await host.write(hex('FD 00 02 02 FE')); // bad check byte: ignored as noise
    await tick(50);
    expect(got.length).toBe(10);
    sim.close();
  });

  it('XFS5152: INIT at start, ACK for a frame, IDLE announced when the utterance ends', async () => {
    const [host, device] = createMemoryPipe();
    const got = collect(host);
    const sim = new Xfs5152Simulator(device, { msPerChar: 10 });
    await host.write(hex('FD 00 07 01 00 5B 76 39 5D 41')); // "[v9]A": length counts command, encoding, 5 text bytes
    expect(await replies(got, 3)).toEqual([0x4a, 0x41, 0x4f]);
    expect(sim.spoken[0]).toMatchObject({ text: 'A', tags: ['[v9]'], interrupted: false });
    await host.write(hex('FD 00 01 21'));
    expect((await replies(got, 5)).slice(3)).toEqual([0x41, 0x4f]);
    sim.close();
  });
});
