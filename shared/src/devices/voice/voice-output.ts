import { bilingual } from '../../i18n/bilingual.ts';

/**
 * One shape for everything that speaks an announcement: a serial TTS chip behind VoiceQueue, or the
 * PC's own speakers through espeak-ng (espeak-voice.node.ts). Pure: types and text checks only.
 *
 * Every backend speaks one utterance at a time, first come first served; `speak` resolves when that
 * utterance is over (or was given up), never while another one is still sounding.
 */

export interface UtteranceOptions {
  /** 0 (quietest) … 10 (loudest). */
  volume?: number;
  /** 0 (slowest) … 10 (fastest). */
  speed?: number;
  /** Read digits one by one ("3号" stays "三号", "A5" reads "A五"). */
  digitsAsNumbers?: boolean;
}

/**
 * spoken: finished normally. timeout: given up after the time-out (the device was told to stop).
 * error: the device refused it or failed. cancelled: the output was closed before or while it spoke.
 */
export type UtteranceOutcome = 'spoken' | 'timeout' | 'error' | 'cancelled';

export interface UtteranceResult {
  text: string;
  outcome: UtteranceOutcome;
  /** Date.now() when this utterance was handed to the device, and when it was over. */
  startedAt: number;
  endedAt: number;
}

export interface VoiceOutput {
  /** Which backend this is, for logs and the technician screen (e.g. "SYN6288", "espeak-ng"). */
  readonly name: string;
  speak(text: string, options?: UtteranceOptions): Promise<UtteranceResult>;
  close(): void | Promise<void>;
}

/** Text a backend refuses before queueing it; the message is Chinese / English. */
export class UtteranceTextError extends Error {
  constructor(
    readonly reason: 'empty' | 'too-long',
    message: string,
  ) {
    super(message);
    this.name = 'UtteranceTextError';
  }
}

/** Longest utterance, in characters (code points), unless a backend says otherwise. */
export const DEFAULT_MAX_UTTERANCE_CHARS = 500;

// C0 and C1 control characters, DEL, and the invisible format characters that reorder or hide text
// (bidi overrides and isolates, zero-width space, BOM). Line breaks and tabs become spaces first.
const LINE_BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]+/g;
// eslint-disable-next-line no-control-regex -- stripping control characters is the point
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/**
 * Pure: the text as a backend should speak it: line breaks and tabs to spaces, control and invisible
 * format characters removed, runs of spaces collapsed, trimmed. Throws UtteranceTextError when
 * nothing speakable is left or the text is longer than `maxChars` characters.
 */
export function cleanUtteranceText(text: string, maxChars = DEFAULT_MAX_UTTERANCE_CHARS): string {
  const clean = String(text).replace(LINE_BREAKS, ' ').replace(CONTROLS, '').replace(/\s+/g, ' ').trim();
  if (clean === '') throw new UtteranceTextError('empty', bilingual('devices.voice.empty'));
  const length = [...clean].length;
  if (length > maxChars) {
    throw new UtteranceTextError('too-long', bilingual('devices.voice.tooLong', { length, max: maxChars }));
  }
  return clean;
}
