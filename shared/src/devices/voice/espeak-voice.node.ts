/**
 * Announcements through the PC's own speakers with espeak-ng (Debian: apt-get install espeak-ng),
 * for a booth or gate without a serial TTS chip. Same rules as VoiceQueue: one utterance at a time,
 * first come first served; an espeak-ng that is still running after the time-out (a blocked audio
 * device, say) is killed and the next utterance goes; close() stops the one sounding and cancels the
 * rest.
 *
 * Output 'device' (the default) lets espeak-ng play through its own audio output; the process lasts
 * as long as the sound, which is what keeps utterances from overlapping. Output 'stdout' (or a
 * `wavDir`) captures the audio as WAV instead and plays nothing: for tests and machines without a
 * sound device. Note: espeak-ng 1.51 with no sound device prints an ALSA error and still exits 0; that
 * stderr is what tells us it did not play, and the utterance is reported as an error.
 *
 * Voice, flags and the digit rules: espeak-text.ts.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESPEAK_DEFAULT_SPEED, ESPEAK_DEFAULT_VOLUME, ESPEAK_VOICE, espeakArgs, espeakText } from './espeak-text.ts';
import { DEFAULT_MAX_UTTERANCE_CHARS, cleanUtteranceText } from './voice-output.ts';
import type { UtteranceOptions, UtteranceOutcome, UtteranceResult, VoiceOutput } from './voice-output.ts';
import { finishStreamedWav, parseWav } from './wav.ts';
import { bilingual, bilingualError } from '../../i18n/bilingual.ts';

export interface EspeakVoiceOptions {
  /** The espeak-ng executable; 'espeak-ng' on the PATH by default. */
  binary?: string;
  /** espeak-ng voice; cmn-latn-pinyin by default (see espeak-text.ts for why). */
  voice?: string;
  /** 'device': play through espeak-ng's audio output (default). 'stdout': capture WAV, play nothing. */
  output?: 'device' | 'stdout';
  /** Capture (as 'stdout') and also write each utterance's WAV file into this directory. */
  wavDir?: string;
  /** Volume and speed (0…10) when an utterance does not give them. */
  defaultVolume?: number;
  defaultSpeed?: number;
  /** Longest text, in characters. */
  maxChars?: number;
  /** Longest one utterance may take before espeak-ng is killed; default 5 s plus 1 s per character
   * (speed 0 takes about 0.65 s a syllable). */
  utteranceTimeoutMs?: number;
}

export interface EspeakUtteranceOptions extends UtteranceOptions {
  /** This utterance's time-out, instead of the output's. */
  timeoutMs?: number;
}

export interface EspeakUtteranceResult extends UtteranceResult {
  /** The text exactly as espeak-ng was given it (cleaned, digits prepared). */
  spokenText: string;
  /** espeak-ng's arguments, text excluded (it goes in on stdin), and its process id. */
  args: readonly string[];
  pid?: number;
  /** performance.now() when speak() was called, espeak-ng started, its first audio byte came out
   * (captured output only), and it exited. Absent for what never ran. */
  timing: { enqueuedAt: number; spawnedAt?: number; firstAudioAt?: number; exitedAt?: number };
  /** From speak() to the first audio byte, ms (captured output only). */
  firstAudioMs?: number;
  /** Captured audio (a complete WAV, sizes fixed), its length in ms, and its file under wavDir. */
  wav?: Uint8Array;
  audioMs?: number;
  wavPath?: string;
  /** Why it failed (Chinese / English), with espeak-ng's own message when there was one. */
  detail?: string;
}

/** espeak-ng --stdout writes a fixed 44-byte header before the samples. */
const WAV_HEADER_BYTES = 44;
/** After SIGKILL, how long to wait for the process to be gone before moving on regardless. */
const KILL_GRACE_MS = 2000;

interface Job {
  text: string;
  spokenText: string;
  args: string[];
  timeoutMs: number;
  enqueuedAt: number;
  resolve: (result: EspeakUtteranceResult) => void;
}

/** espeak-ng's version line, or undefined when it cannot be run. */
export function espeakVersion(binary = 'espeak-ng'): string | undefined {
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

export class EspeakVoice implements VoiceOutput {
  readonly name = 'espeak-ng';
  private readonly jobs: Job[] = [];
  private running = false;
  /** Settles when the current run of the queue is over. */
  private idle: Promise<void> = Promise.resolve();
  private closed = false;
  private cancelCurrent: (() => void) | undefined;
  private sequence = 0;
  private readonly binary: string;
  private readonly voice: string;
  private readonly capture: boolean;
  private readonly wavDir: string | undefined;
  private readonly defaults: { volume: number; speed: number };
  private readonly maxChars: number;
  private readonly utteranceTimeoutMs: number | undefined;

  constructor(options: EspeakVoiceOptions = {}) {
    this.binary = options.binary ?? 'espeak-ng';
    this.voice = options.voice ?? ESPEAK_VOICE;
    this.wavDir = options.wavDir;
    this.capture = options.output === 'stdout' || this.wavDir !== undefined;
    this.defaults = { volume: options.defaultVolume ?? ESPEAK_DEFAULT_VOLUME, speed: options.defaultSpeed ?? ESPEAK_DEFAULT_SPEED };
    this.maxChars = options.maxChars ?? DEFAULT_MAX_UTTERANCE_CHARS;
    this.utteranceTimeoutMs = options.utteranceTimeoutMs;
    if (this.wavDir !== undefined) mkdirSync(this.wavDir, { recursive: true });
  }

  /** Utterances waiting, not counting the one sounding. */
  get pending(): number {
    return this.jobs.length;
  }

  /**
   * Queues an utterance; resolves when it is over (spoken, timed out, failed or cancelled). Rejects
   * at once, queueing nothing, with an UtteranceTextError for empty or over-long text, or when the
   * output is closed.
   */
  speak(text: string, options: EspeakUtteranceOptions = {}): Promise<EspeakUtteranceResult> {
    const enqueuedAt = performance.now();
    if (this.closed) return Promise.reject(bilingualError('devices.voice.closed'));
    let clean: string;
    try {
      clean = cleanUtteranceText(text, this.maxChars);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    const spokenText = espeakText(clean, options.digitsAsNumbers === true);
    const timeoutMs = options.timeoutMs ?? this.utteranceTimeoutMs ?? 5000 + 1000 * [...clean].length;
    const args = [...espeakArgs(options, this.defaults, this.voice), ...(this.capture ? ['--stdout'] : [])];
    return new Promise((resolve) => {
      this.jobs.push({ text: clean, spokenText, args, timeoutMs, enqueuedAt, resolve });
      if (!this.running) {
        this.running = true;
        this.idle = this.run();
      }
    });
  }

  /** Stops the utterance sounding, cancels the queued ones; resolves once espeak-ng has exited. */
  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      for (const job of this.jobs.splice(0)) job.resolve(this.unstarted(job, 'cancelled'));
      this.cancelCurrent?.();
    }
    return this.idle;
  }

  private async run(): Promise<void> {
    try {
      for (let job = this.jobs.shift(); job !== undefined; job = this.jobs.shift()) {
        job.resolve(this.closed ? this.unstarted(job, 'cancelled') : await this.say(job));
      }
    } finally {
      // Synchronously with the last shift(), so a job queued from here on starts a new run.
      this.running = false;
    }
  }

  private unstarted(job: Job, outcome: UtteranceOutcome): EspeakUtteranceResult {
    const now = Date.now();
    return { text: job.text, outcome, startedAt: now, endedAt: now, spokenText: job.spokenText, args: job.args, timing: { enqueuedAt: job.enqueuedAt } };
  }

  private say(job: Job): Promise<EspeakUtteranceResult> {
    return new Promise((resolve) => {
      const startedAt = Date.now();
      const timing: EspeakUtteranceResult['timing'] = { enqueuedAt: job.enqueuedAt, spawnedAt: performance.now() };
      const chunks: Buffer[] = [];
      let bytes = 0;
      let stderr = '';
      let stopped: 'timeout' | 'cancelled' | undefined;
      let killTimer: ReturnType<typeof setTimeout> | undefined;
      let settled = false;

      let child: ChildProcess;
      try {
        child = spawn(this.binary, job.args, { stdio: ['pipe', this.capture ? 'pipe' : 'ignore', 'pipe'] });
      } catch (err) {
        const detail = `${bilingual('devices.voice.cannotStart')} (${(err as Error).message})`;
        resolve({ ...this.unstarted(job, 'error'), startedAt, detail });
        return;
      }

      const finish = (failure?: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(killTimer);
        this.cancelCurrent = undefined;
        timing.exitedAt = performance.now();
        const result: EspeakUtteranceResult = {
          text: job.text,
          outcome: 'spoken',
          startedAt,
          endedAt: Date.now(),
          spokenText: job.spokenText,
          args: job.args,
          ...(child.pid !== undefined ? { pid: child.pid } : {}),
          timing,
          ...(timing.firstAudioAt !== undefined ? { firstAudioMs: timing.firstAudioAt - job.enqueuedAt } : {}),
        };
        if (stopped !== undefined) result.outcome = stopped;
        else if (failure !== undefined) Object.assign(result, { outcome: 'error', detail: failure });
        else this.captured(result, Buffer.concat(chunks));
        resolve(result);
      };

      const kill = (why: 'timeout' | 'cancelled'): void => {
        if (settled || stopped !== undefined) return;
        stopped = why;
        child.kill('SIGKILL');
        // A process that is not gone even then (stuck in the kernel on a sound device): move on.
        killTimer = setTimeout(() => finish(), KILL_GRACE_MS);
      };
      const timer = setTimeout(() => kill('timeout'), job.timeoutMs);
      this.cancelCurrent = () => kill('cancelled');

      child.on('error', (err: NodeJS.ErrnoException) => {
        // Only a failed start ends the utterance here; a failed kill leaves the time-out in charge.
        if (child.pid === undefined) {
          finish(`${bilingual('devices.voice.cannotStart')} (${err.code ?? err.message}); Debian: apt-get install espeak-ng`);
        }
      });
      child.on('close', (code, signal) => {
        if (code !== 0) finish(`${bilingual('devices.voice.exited')} (${code ?? signal}): ${stderr.trim()}`);
        else if (!this.capture && /error|unknown pcm|cannot/i.test(stderr)) {
          finish(`${bilingual('devices.voice.didNotPlay')}: ${stderr.trim()}`);
        } else finish();
      });
      child.stdout?.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        bytes += chunk.length;
        if (timing.firstAudioAt === undefined && bytes > WAV_HEADER_BYTES) timing.firstAudioAt = performance.now();
      });
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (text: string) => {
        if (stderr.length < 4000) stderr += text;
      });
      // Killed before it read its text: the write fails with EPIPE, which is expected.
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(job.spokenText, 'utf8');
    });
  }

  /** Fills in the captured WAV (and its file) of a finished utterance; no audio is an error. */
  private captured(result: EspeakUtteranceResult, audio: Buffer): void {
    if (!this.capture) return;
    const wav = finishStreamedWav(audio);
    const info = parseWav(wav);
    if (info === undefined || info.dataBytes === 0) {
      Object.assign(result, { outcome: 'error', detail: bilingual('devices.voice.noAudio') });
      return;
    }
    result.wav = wav;
    result.audioMs = info.durationMs;
    if (this.wavDir === undefined) return;
    const path = join(this.wavDir, `${String(++this.sequence).padStart(4, '0')}-${Date.now()}.wav`);
    try {
      writeFileSync(path, wav);
      result.wavPath = path;
    } catch (err) {
      Object.assign(result, { outcome: 'error', detail: `${bilingual('devices.voice.cannotWrite')} ${path}: ${(err as Error).message}` });
    }
  }
}
