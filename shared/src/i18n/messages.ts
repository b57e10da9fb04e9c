import { ERROR_CODES, type ErrorCode } from '../errors.ts';
import { LINK_STATES, type LinkStatus } from '../contract/device-status.ts';
import type { BoothPosition, GatePosition } from '../domain/topology.ts';
import { CATALOGUE } from './catalogue/index.ts';

/**
 * Every string Kawei shows or prints, in Chinese (the default: experts and gate staff read Chinese)
 * and English. The texts live in one typed catalogue, one file per namespace
 * (`catalogue/<namespace>.ts`, combined in `catalogue/index.ts`); this module is its API. The Chinese
 * tables are the source of truth for the keys; the English ones are typed from them, so a key missing
 * on either side, or an extra one, fails type checking. Every ErrorCode needs an `error.<CODE>` entry
 * (checked with `satisfies` in catalogue/error.ts). Terminal text says both languages at once:
 * `bilingual(key, params)` in bilingual.ts.
 *
 * Placeholders are written `{name}` and filled by `formatMessage`. Their names are part of the type:
 * `t('link.lastContact', { ago: '…' })` must pass `ago`.
 *
 * Pure TypeScript, no React: the Node side may use it for logs or printed labels.
 */

export const LANGS = ['zh-CN', 'en'] as const;
export type Lang = (typeof LANGS)[number];
export const DEFAULT_LANG: Lang = 'zh-CN';

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGS as readonly string[]).includes(value);
}

const zhCN = CATALOGUE['zh-CN'];

export type MessageKey = keyof typeof zhCN;

const en: Record<MessageKey, string> = CATALOGUE.en;

export const MESSAGES: Readonly<Record<Lang, Readonly<Record<MessageKey, string>>>> = { 'zh-CN': zhCN, en };

/**
 * A grouped view of the same tables, for tests and tooling that look a text up by its code:
 * `messages['zh-CN'].errors.ENROL_CODE_USED`, `messages.en.link.offline`.
 */
export interface MessageGroups {
  readonly errors: Readonly<Record<ErrorCode, string>>;
  readonly link: Readonly<Record<LinkStatus['state'], string>>;
}

function groupsOf(table: Readonly<Record<MessageKey, string>>): MessageGroups {
  return {
    errors: Object.fromEntries(ERROR_CODES.map((code) => [code, table[`error.${code}`]])) as Record<ErrorCode, string>,
    link: Object.fromEntries(LINK_STATES.map((state) => [state, table[`link.${state}`]])) as Record<LinkStatus['state'], string>,
  };
}

export const messages: Readonly<Record<Lang, MessageGroups>> = { 'zh-CN': groupsOf(zhCN), en: groupsOf(en) };

// ── placeholders ─────────────────────────────────────────────────────────────

/** "{a} and {b}" → "a" | "b", read from the Chinese literal types. */
type PlaceholderNames<S extends string> = S extends `${string}{${infer Name}}${infer Rest}`
  ? Name | PlaceholderNames<Rest>
  : never;

export type MessageParams<K extends MessageKey> = Record<PlaceholderNames<(typeof zhCN)[K]>, string | number>;

/** Keys whose messages take no placeholder: `t(key)` needs no second argument for these. */
type KeysWithoutParams = { [K in MessageKey]: PlaceholderNames<(typeof zhCN)[K]> extends never ? K : never }[MessageKey];

export type TranslateArgs<K extends MessageKey> = K extends KeysWithoutParams ? [] : [params: MessageParams<K>];

/** The placeholder names a template uses, in order of appearance; for tests and tooling. */
export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
}

/**
 * Fills `{name}` placeholders. A placeholder without a value stays as written, so a forgotten
 * parameter shows up on screen instead of silently vanishing.
 */
export function formatMessage(template: string, params: Readonly<Record<string, string | number>> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

export function translate<K extends MessageKey>(lang: Lang, key: K, ...args: TranslateArgs<K>): string {
  const template = MESSAGES[lang][key] ?? MESSAGES[DEFAULT_LANG][key];
  return formatMessage(template, args[0] as Record<string, string | number> | undefined);
}

export type Translate = <K extends MessageKey>(key: K, ...args: TranslateArgs<K>) => string;

export function translatorFor(lang: Lang): Translate {
  return (key, ...args) => translate(lang, key, ...args);
}

// ── domain formatting ────────────────────────────────────────────────────────

export function errorMessage(code: ErrorCode, lang: Lang): string {
  return MESSAGES[lang][`error.${code}`];
}

export function linkStateLabel(state: LinkStatus['state'], lang: Lang): string {
  return MESSAGES[lang][`link.${state}`];
}

/** "3号评标室 · A5 卡位" / "Room 3 · Booth A5": what an expert looks for on the booth's screen. */
export function formatBoothPosition(position: BoothPosition, lang: Lang): string {
  return translate(lang, 'position.booth', { room: position.room.number, booth: position.booth.label });
}

/**
 * "市公共资源交易中心 · 评标区入口" for the area entrance, "3号评标室 门禁" for a room door. A room door
 * whose room the central did not send falls back to the gate's own name rather than inventing one.
 */
export function formatGatePosition(position: GatePosition, lang: Lang): string {
  if (position.gate.role === 'area_entrance') {
    return translate(lang, 'position.gate.areaEntrance', { site: position.site.name });
  }
  if (position.room) return translate(lang, 'position.gate.roomDoor', { room: position.room.number });
  return position.gate.name;
}

/** "12 秒前" / "12 s ago"; negative spans (clock skew) count as "just now". */
export function formatElapsed(ms: number, lang: Lang): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 5) return translate(lang, 'elapsed.now');
  if (seconds < 60) return translate(lang, 'elapsed.seconds', { n: seconds });
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return translate(lang, 'elapsed.minutes', { n: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return translate(lang, 'elapsed.hours', { n: hours });
  return translate(lang, 'elapsed.days', { n: Math.floor(hours / 24) });
}
