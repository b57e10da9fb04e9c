import { describe, expect, it } from 'vitest';
import { createMemoryPipe } from '../../src/devices/voice/memory-pipe.ts';
import { Syn6288Simulator } from '../../src/devices/voice/simulators/syn6288-simulator.ts';
import type { SpokenUtterance } from '../../src/devices/voice/simulators/tts-simulator-core.ts';
import { Xfs5152Simulator } from '../../src/devices/voice/simulators/xfs5152-simulator.ts';
import { VoiceQueue, syn6288Chip, xfs5152Chip } from '../../src/devices/voice/voice-queue.ts';
import type { ByteTransport } from '../../src/devices/voice/voice-queue.ts';

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
    const result = await queue.speak(SEAT);
    expect(result.outcome).toBe('timeout');
    expect(result.endedAt - result.startedAt).toBeLessThan(1000);
    queue.close();
  });

  it('reports an encoding error for text the chip cannot take', async () => {
    const [host] = createMemoryPipe();
    const queue = new VoiceQueue(host, syn6288Chip);
    expect((await queue.speak('号'.repeat(150))).outcome).toBe('error');
    queue.close();
  });
});
