/**
 * Pure: what espeak-ng (1.51, checked with `espeak-ng -x`, which prints the phonemes it would speak)
 * is given for an announcement: the voice, the amplitude and speed flags, and the text.
 *
 * Voice: `cmn-latn-pinyin`. The plain `cmn` voice reads Latin letters as English, and in mixed text
 * it also reads 号, 评, 标 and 座 with English phonemes.
 *
 * Digits, as the pinyin voice reads them:
 * - A digit straight after a Latin letter is taken as a pinyin tone number and disappears:
 *   "A5号" is read "a 号", "B2" just "b", "C3" just "c". Separated ("A 5号"), the letter is read by
 *   its name and the digit as a number. So a space always goes between a letter and a digit.
 * - "3号" is read 三号; a run of digits is read as a value: "12号" 十二号, "105号" 一百零五号.
 * - With `digitsAsNumbers`, every digit is replaced by its character (零一二三四五六七八九), so
 *   "105号" is read 一零五号 and "A5" A五, as the chips do with [n1].
 * - Text inside [[ ]] would be taken as espeak phoneme codes; the brackets are split apart.
 */
import type { UtteranceOptions } from './voice-output.ts';

export const ESPEAK_VOICE = 'cmn-latn-pinyin';

/** espeak-ng's -s (words a minute; for Chinese about syllables) at speed 0 and at speed 10. Its own
 * default, 175, is about 3.6 syllables a second: brisk for older listeners. */
export const ESPEAK_MIN_WPM = 80;
export const ESPEAK_MAX_WPM = 200;
/** Speed 4 → 128 words a minute, the seat call in about 5 s: deliberately on the slow side. */
export const ESPEAK_DEFAULT_SPEED = 4;

/** espeak-ng's -a at volume 10. Its default amplitude, 100, already peaks near full scale for this
 * voice (measured: 31,916 of 32,767); above it the waveform clips rather than getting louder, so the
 * 0…10 scale ends there and more loudness is the PC mixer's job. */
export const ESPEAK_MAX_AMPLITUDE = 100;
export const ESPEAK_DEFAULT_VOLUME = 10;

const clamp10 = (value: number): number => Math.min(10, Math.max(0, Number.isFinite(value) ? value : 0));

/** 0…10 → espeak-ng -s words per minute. */
export function espeakWordsPerMinute(speed: number): number {
  return Math.round(ESPEAK_MIN_WPM + (clamp10(speed) * (ESPEAK_MAX_WPM - ESPEAK_MIN_WPM)) / 10);
}

/** 0…10 → espeak-ng -a amplitude. */
export function espeakAmplitude(volume: number): number {
  return Math.round((clamp10(volume) * ESPEAK_MAX_AMPLITUDE) / 10);
}

const DIGIT_CHARS = '零一二三四五六七八九';

/**
 * The text for the pinyin voice (see the notes at the top). Expects text already through
 * cleanUtteranceText. NFKC first, so full-width letters and digits (Ａ５) count as Latin ones.
 */
export function espeakText(text: string, digitsAsNumbers = false): string {
  let out = text.normalize('NFKC').replace(/\[\[/g, '[ [').replace(/\]\]/g, '] ]');
  out = out.replace(/([A-Za-z])(?=[0-9])/g, '$1 ');
  if (digitsAsNumbers) out = out.replace(/[0-9]/g, (d) => DIGIT_CHARS[Number(d)] ?? d);
  return out;
}

/** The espeak-ng arguments for one utterance; the text itself goes in on stdin (so a text that
 * starts with "-" can never be taken for an option). */
export function espeakArgs(options: UtteranceOptions, defaults: { volume: number; speed: number }, voice = ESPEAK_VOICE): string[] {
  return [
    '-v',
    voice,
    '-b',
    '1', // input is UTF-8, whatever the locale
    '-a',
    String(espeakAmplitude(options.volume ?? defaults.volume)),
    '-s',
    String(espeakWordsPerMinute(options.speed ?? defaults.speed)),
  ];
}
