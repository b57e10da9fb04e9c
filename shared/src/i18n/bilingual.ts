import { type Lang, type MessageKey, type MessageParams, type TranslateArgs, translate } from './messages.ts';

/**
 * Terminal and log text in both languages, from the one catalogue: CLIs, scripts and errors a
 * technician reads say Chinese first and English second. Pure (no Node API), so shared code that runs
 * anywhere may throw these too.
 */

export interface MessagePair {
  zh: string;
  en: string;
}

/** The two texts of `key`, filled with the same parameters. */
export function messagePair<K extends MessageKey>(key: K, ...args: TranslateArgs<K>): MessagePair {
  return { zh: translate('zh-CN', key, ...args), en: translate('en', key, ...args) };
}

/**
 * The two texts of `key` with parameters that differ by language: a list joined with '、' or ', ',
 * 暗标 or "blind".
 */
export function messagePairBy<K extends MessageKey>(key: K, params: (lang: Lang) => MessageParams<K>): MessagePair {
  const fill = (lang: Lang): string => translate(lang, key, ...([params(lang)] as unknown as TranslateArgs<K>));
  return { zh: fill('zh-CN'), en: fill('en') };
}

/** "中文 / English" on one line: error messages, single-line CLI output. */
export function bilingual<K extends MessageKey>(key: K, ...args: TranslateArgs<K>): string {
  const { zh, en } = messagePair(key, ...args);
  return `${zh} / ${en}`;
}

/** "中文" and "English" on two lines: headings and longer CLI output. */
export function bilingualLines<K extends MessageKey>(key: K, ...args: TranslateArgs<K>): string {
  const { zh, en } = messagePair(key, ...args);
  return `${zh}\n${en}`;
}

/** An Error whose message is `bilingual(key, params)`; `zh`, `en` and `key` stay readable apart. */
export class BilingualError extends Error {
  override readonly name = 'BilingualError';
  readonly zh: string;
  readonly en: string;
  constructor(
    readonly key: MessageKey,
    pair: MessagePair,
    options?: ErrorOptions,
  ) {
    super(`${pair.zh} / ${pair.en}`, options);
    this.zh = pair.zh;
    this.en = pair.en;
  }
}

/** `throw bilingualError('tender.notPdf', { file })`: a BilingualError for `key`. */
export function bilingualError<K extends MessageKey>(key: K, ...args: TranslateArgs<K>): BilingualError {
  return new BilingualError(key, messagePair(key, ...args));
}

/** `pair` with a detail in brackets: "…（detail）" in Chinese, "… (detail)" in English. */
export function withDetail(pair: MessagePair, detail: MessagePair | string): MessagePair {
  const d = typeof detail === 'string' ? { zh: detail, en: detail } : detail;
  return { zh: `${pair.zh}（${d.zh}）`, en: `${pair.en} (${d.en})` };
}

/** "中文 English" with a space: table headers and short labels in the operator's terminal ("设备 device"). */
export function bilingualLabel<K extends MessageKey>(key: K, ...args: TranslateArgs<K>): string {
  const { zh, en } = messagePair(key, ...args);
  return `${zh} ${en}`;
}

/**
 * `pair` with a system detail (an OS error, a parser's message) that only the English side carries:
 * "…" / "…: detail". The Chinese line stays readable; the technician's English one says why.
 */
export function withEnglishDetail(pair: MessagePair, detail: string): MessagePair {
  return { zh: pair.zh, en: `${pair.en}: ${detail}` };
}

/** A pair on two lines, Chinese first: what bilingualLines prints, for a pair built with messagePairBy or withDetail. */
export function pairLines(pair: MessagePair): string {
  return `${pair.zh}\n${pair.en}`;
}

/** A pair on one line, "中文 / English". */
export function pairLine(pair: MessagePair): string {
  return `${pair.zh} / ${pair.en}`;
}
