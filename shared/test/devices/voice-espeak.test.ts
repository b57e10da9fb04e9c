/**
 * The espeak-ng voice output against the real espeak-ng, audio captured as WAV (--stdout): this test
 * machine has no sound card. Fails, naming the apt package, when espeak-ng is missing. The pure parts (text
 * preparation, flag mapping, WAV header, text checks) always run.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../../tests/support/require-tool.node.ts';
import { espeakAmplitude, espeakArgs, espeakText, espeakWordsPerMinute } from '../../src/devices/voice/espeak-text.ts';
import { EspeakVoice, espeakVersion } from '../../src/devices/voice/espeak-voice.node.ts';
import type { EspeakUtteranceResult } from '../../src/devices/voice/espeak-voice.node.ts';
import { createMemoryPipe } from '../../src/devices/voice/memory-pipe.ts';
import { UtteranceTextError, cleanUtteranceText } from '../../src/devices/voice/voice-output.ts';
import type { VoiceOutput } from '../../src/devices/voice/voice-output.ts';
import { VoiceQueue, xfs5152Chip } from '../../src/devices/voice/voice-queue.ts';
import { finishStreamedWav, parseWav, pcm16Level } from '../../src/devices/voice/wav.ts';

const VERSION = espeakVersion();

const SEAT = '请到3号评标室A5号卡位';
const LONGER = '请各位评标专家到3号评标室A5号卡位就座，开标时间为上午九点整，请提前十分钟到场签到';
const VERY_LONG = '请各位评标专家按时到场签到。'.repeat(30); // 420 characters

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

function voice(options: ConstructorParameters<typeof EspeakVoice>[0] = {}): EspeakVoice {
  const v = new EspeakVoice({ output: 'stdout', ...options });
  cleanups.push(() => v.close());
  return v;
}

function spoken(result: EspeakUtteranceResult): { wav: Uint8Array; audioMs: number } {
  expect(result.outcome, result.detail).toBe('spoken');
  expect(result.wav).toBeDefined();
  return { wav: result.wav ?? new Uint8Array(0), audioMs: result.audioMs ?? 0 };
}

const gone = (pid: number | undefined): boolean => {
  if (pid === undefined) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
};

/** The phonemes espeak-ng would speak for `text` (its -x output), to check how it reads digits. */
const phonemes = (text: string): string =>
  execFileSync('espeak-ng', ['-q', '-x', ...espeakArgs({}, { volume: 10, speed: 4 })], { input: text, encoding: 'utf8' });

describe('espeak-ng text and flags (pure)', () => {
  it('separates a Latin letter from a following digit, which the pinyin voice would take for a tone', () => {
    expect(espeakText(SEAT)).toBe('请到3号评标室A 5号卡位');
    expect(espeakText('B2卡位, c3')).toBe('B 2卡位, c 3');
    expect(espeakText('Ａ５号')).toBe('A 5号'); // full-width
  });

  it('with digitsAsNumbers reads every digit as its character', () => {
    expect(espeakText(SEAT, true)).toBe('请到三号评标室A 五号卡位');
    expect(espeakText('105号', true)).toBe('一零五号');
  });

  it('splits [[ ]] so text is never taken as espeak phoneme codes', () => {
    expect(espeakText('[[h@loU]]')).toBe('[ [h@loU] ]');
  });

  it('maps volume and speed 0…10 onto -a and -s, clamped, slow by default', () => {
    expect([0, 5, 10].map(espeakAmplitude)).toEqual([0, 50, 100]);
    expect([0, 4, 10].map(espeakWordsPerMinute)).toEqual([80, 128, 200]);
    expect(espeakWordsPerMinute(99)).toBe(200);
    expect(espeakAmplitude(-3)).toBe(0);
    expect(espeakArgs({}, { volume: 10, speed: 4 })).toEqual(['-v', 'cmn-latn-pinyin', '-b', '1', '-a', '100', '-s', '128']);
    expect(espeakArgs({ volume: 3, speed: 7 }, { volume: 10, speed: 4 }).slice(4)).toEqual(['-a', '30', '-s', '164']);
  });

  it('cleans text: control characters out, line breaks to spaces; empty and over-long refused in both languages', () => {
    expect(cleanUtteranceText('  请到\u00073号\r\n评标室\u202e \u0000 ')).toBe('请到3号 评标室');
    for (const bad of ['', '   ', '\n\t', '\u0000\u0007\u001b']) {
      expect(() => cleanUtteranceText(bad)).toThrow(/播报文本为空 \/ the announcement text is empty/);
    }
    expect(() => cleanUtteranceText('号'.repeat(501))).toThrow(/播报文本过长：501 字，最多 500 字 \/ .*too long: 501 characters, at most 500/);
    expect(cleanUtteranceText('号'.repeat(500))).toHaveLength(500);
  });

  it('reads a streamed WAV header and fixes its sizes', () => {
    const header = Uint8Array.from(Buffer.from('524946462cf0ff7f57415645666d7420100000000100010022560000' + '44ac000002001000' + '6461746100f0ff7f', 'hex'));
    const streamed = new Uint8Array(header.length + 441);
    streamed.set(header);
    const info = parseWav(streamed);
    expect(info).toMatchObject({ sampleRate: 22050, channels: 1, bitsPerSample: 16, dataOffset: 44, dataBytes: 441 });
    const fixed = finishStreamedWav(streamed);
    expect(fixed.length).toBe(485); // an odd trailing byte is not a whole sample but stays data
    const view = new DataView(fixed.buffer);
    expect(view.getUint32(4, true)).toBe(477);
    expect(view.getUint32(40, true)).toBe(441);
    expect(parseWav(Uint8Array.of(1, 2, 3))).toBeUndefined();
  });

  it('VoiceQueue and EspeakVoice are both a VoiceOutput', () => {
    const [host] = createMemoryPipe();
    const outputs: VoiceOutput[] = [new VoiceQueue(host, xfs5152Chip), new EspeakVoice({ output: 'stdout' })];
    expect(outputs.map((o) => o.name)).toEqual(['XFS5152', 'espeak-ng']);
    for (const o of outputs) void o.close();
  });
});

describe('espeak-ng output when espeak-ng cannot be started', () => {
  it('reports an error naming the Debian package, and the queue goes on', async () => {
    const v = voice({ binary: join(tmpdir(), 'no-such-dir', 'espeak-ng') });
    const [a, b] = await Promise.all([v.speak(SEAT), v.speak('开标时间到')]);
    expect(a.outcome).toBe('error');
    expect(a.detail).toMatch(/无法启动 espeak-ng \/ cannot start espeak-ng \(ENOENT\).*apt-get install espeak-ng/);
    expect(b.outcome).toBe('error');
  });
});

describe(`espeak-ng voice output, real espeak-ng (${VERSION ?? 'missing'})`, () => {
  beforeAll(() => requireTool('espeak-ng'));
  it('the seat call becomes a WAV of plausible length, a longer sentence a longer one; the time to first audio is measured', async () => {
    const v = voice();
    const seat = await v.speak(SEAT);
    const { wav, audioMs } = spoken(seat);
    expect(parseWav(wav)).toMatchObject({ sampleRate: 22050, channels: 1, bitsPerSample: 16 });
    // 12 syllables at the default speed (128 words a minute): about 5 s; anything from 2.5 s to 9 s is speech.
    expect(audioMs).toBeGreaterThan(2500);
    expect(audioMs).toBeLessThan(9000);
    expect(seat.spokenText).toBe('请到3号评标室A 5号卡位');
    const longer = spoken(await v.speak(LONGER));
    expect(longer.audioMs).toBeGreaterThan(audioMs * 2);
    // Enqueue → first audio byte on an idle queue: reported for each utterance, after the start and
    // before espeak-ng ended. Logged, not asserted against a budget (this machine's speed is not the code's).
    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await v.speak(SEAT);
      const { enqueuedAt, spawnedAt, firstAudioAt, exitedAt } = r.timing;
      expect(spawnedAt).toBeGreaterThanOrEqual(enqueuedAt);
      expect(firstAudioAt).toBeGreaterThanOrEqual(spawnedAt!);
      expect(exitedAt).toBeGreaterThanOrEqual(firstAudioAt!);
      expect(r.firstAudioMs).toBe(firstAudioAt! - enqueuedAt);
      latencies.push(r.firstAudioMs!);
    }
    const sorted = [...latencies].sort((x, y) => x - y);
    console.log(`voice-espeak: enqueue → first audio byte for the seat call: median ${sorted[2]?.toFixed(1)} ms (${latencies.map((l) => l.toFixed(1)).join(', ')})`);
  });

  it('the pinyin voice reads the digit after a letter only once they are separated', () => {
    expect(phonemes('A5号')).not.toMatch(/w'u/); // "5" swallowed as a tone number
    expect(phonemes(espeakText('A5号'))).toMatch(/'ei\d+_\| w'u\d+_\| X'Au/); // A, 五, 号
    expect(phonemes(espeakText('B2卡位'))).toMatch(/p'i\d+_\| '@r\d+_\|/); // B, 二
    expect(phonemes(espeakText('105号', true))).toMatch(/j'i\d+_\| l'i\d+N_\| w'u\d+_\|/); // 一零五
  });

  it('speaks one utterance at a time, in order: each espeak-ng starts only after the previous exited', async () => {
    const v = voice();
    const texts = [SEAT, '请专家到1号评标室签到', '开标时间到', LONGER, SEAT];
    const order: string[] = [];
    const results = await Promise.all(texts.map((t) => v.speak(t).then((r) => (order.push(r.text), r))));
    expect(order).toEqual(texts);
    for (const r of results) spoken(r);
    for (let i = 1; i < results.length; i++) {
      const prev = results[i - 1]?.timing;
      const next = results[i]?.timing;
      expect(next?.spawnedAt ?? 0).toBeGreaterThanOrEqual(prev?.exitedAt ?? Infinity);
      expect(results[i]?.startedAt ?? 0).toBeGreaterThanOrEqual(results[i - 1]?.endedAt ?? Infinity);
    }
    expect(new Set(results.map((r) => r.pid)).size).toBe(texts.length);
  });

  it('kills an espeak-ng that runs past the time-out, and the next utterance still plays', async () => {
    const v = voice();
    const first = v.speak(VERY_LONG, { timeoutMs: 5 });
    const second = v.speak(SEAT);
    const timedOut = await first;
    expect(timedOut.outcome).toBe('timeout');
    expect(timedOut.wav).toBeUndefined();
    expect(gone(timedOut.pid)).toBe(true);
    const next = await second;
    expect(spoken(next).audioMs).toBeGreaterThan(2500);
    expect(next.timing.spawnedAt ?? 0).toBeGreaterThanOrEqual(timedOut.timing.exitedAt ?? Infinity);
  });

  it('rejects invalid text at once without queueing it; control characters never reach espeak-ng', async () => {
    const v = voice();
    await expect(v.speak('')).rejects.toBeInstanceOf(UtteranceTextError);
    await expect(v.speak(' \u0000\u0007\n')).rejects.toThrow(/播报文本为空 \/ the announcement text is empty/);
    await expect(v.speak('号'.repeat(501))).rejects.toThrow(/too long: 501 characters, at most 500/);
    expect(v.pending).toBe(0);
    const short = voice({ maxChars: 5 });
    await expect(short.speak(SEAT)).rejects.toThrow(/最多 5 字/);
    const r = await v.speak('请到\u00073号\u001b评标室\r\n签到');
    expect(r.spokenText).toBe('请到3号评标室 签到');
    spoken(r);
  });

  it('close() stops the utterance being spoken, cancels the queue, and refuses new ones', async () => {
    const v = new EspeakVoice({ output: 'stdout' });
    const current = v.speak(VERY_LONG);
    const queued = [v.speak(SEAT), v.speak(LONGER)];
    await new Promise((r) => setTimeout(r, 2)); // let espeak-ng start on the first
    await v.close();
    const results = await Promise.all([current, ...queued]);
    expect(results.map((r) => r.outcome)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(gone(results[0]?.pid)).toBe(true);
    expect(results[1]?.timing.spawnedAt).toBeUndefined(); // never started
    await expect(v.speak(SEAT)).rejects.toThrow(/语音输出已关闭 \/ the voice output is closed/);
    await v.close(); // twice is fine
  });

  it('speed and volume change the audio: slower is longer, quieter is quieter', async () => {
    const v = voice();
    const slow = spoken(await v.speak(SEAT, { speed: 0 }));
    const fast = spoken(await v.speak(SEAT, { speed: 10 }));
    expect(slow.audioMs / fast.audioMs).toBeGreaterThan(1.8); // 80 vs 200 words a minute
    const loud = pcm16Level(spoken(await v.speak(SEAT, { volume: 10 })).wav);
    const quiet = pcm16Level(spoken(await v.speak(SEAT, { volume: 2 })).wav);
    expect(quiet.rms / loud.rms).toBeGreaterThan(0.1);
    expect(quiet.rms / loud.rms).toBeLessThan(0.3); // -a 20 against -a 100
    expect(loud.peak).toBeGreaterThan(20_000);
  });

  it('wavDir keeps each utterance as a complete WAV file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kawei-espeak-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const v = voice({ output: 'device', wavDir: join(dir, 'wav') });
    const r = await v.speak(SEAT, { digitsAsNumbers: true });
    expect(r.spokenText).toBe('请到三号评标室A 五号卡位');
    expect(r.wavPath).toBeDefined();
    const file = Uint8Array.from(readFileSync(r.wavPath ?? ''));
    expect(Buffer.compare(file, r.wav ?? new Uint8Array(0))).toBe(0);
    const info = parseWav(file);
    expect(info?.dataOffset).toBe(44);
    expect(new DataView(file.buffer).getUint32(40, true)).toBe(file.length - 44);
  });

  it('on a machine without a sound device, device output is reported as an error, not as spoken', async () => {
    // Every sound device hidden from espeak-ng (no PulseAudio server, no ALSA configuration), so this
    // is a machine without one on a desktop with speakers too (the child inherits the environment).
    const saved = { PULSE_SERVER: process.env.PULSE_SERVER, ALSA_CONFIG_PATH: process.env.ALSA_CONFIG_PATH };
    process.env.PULSE_SERVER = 'unix:/nonexistent/pulse/native';
    process.env.ALSA_CONFIG_PATH = '/nonexistent/alsa.conf';
    cleanups.push(() => {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });
    const v = voice({ output: 'device' });
    const r = await v.speak('开标时间到');
    expect(r.outcome).toBe('error');
    expect(r.detail).toMatch(/espeak-ng 未能播放（没有声音设备？） \/ espeak-ng did not play \(no sound device\?\)/);
  });
});
