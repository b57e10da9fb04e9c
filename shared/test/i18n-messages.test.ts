import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors.ts';
import { LINK_STATES } from '../src/contract/device-status.ts';
import {
  LANGS,
  MESSAGES,
  errorMessage,
  formatBoothPosition,
  formatElapsed,
  formatGatePosition,
  formatMessage,
  isLang,
  messages,
  placeholdersOf,
  translate,
  type MessageKey,
} from '../src/i18n/messages.ts';
import {
  BilingualError,
  bilingual,
  bilingualError,
  bilingualLabel,
  bilingualLines,
  messagePair,
  messagePairBy,
  pairLine,
  pairLines,
  withDetail,
  withEnglishDetail,
} from '../src/i18n/bilingual.ts';
import { NAMESPACES } from '../src/i18n/catalogue/index.ts';
import { areaEntrance, boothA5, room3Door } from './ui-fixtures.ts';

describe('message tables', () => {
  const keys = Object.keys(MESSAGES['zh-CN']) as MessageKey[];

  it('have the same keys in both languages, none empty', () => {
    expect(Object.keys(MESSAGES.en).sort()).toEqual([...keys].sort());
    for (const lang of LANGS) for (const key of keys) expect(MESSAGES[lang][key].trim(), `${lang} ${key}`).not.toBe('');
  });

  it('use the same placeholders in both languages', () => {
    for (const key of keys) {
      expect(placeholdersOf(MESSAGES.en[key]).sort(), key).toEqual(placeholdersOf(MESSAGES['zh-CN'][key]).sort());
    }
  });

  it('come from namespace files that each have both languages with the same keys and placeholders', () => {
    for (const [name, ns] of Object.entries(NAMESPACES)) {
      const zhKeys = Object.keys(ns.zhCN).sort();
      expect(Object.keys(ns.en).sort(), name).toEqual(zhKeys);
      const zh = ns.zhCN as Record<string, string>;
      const en = ns.en as Record<string, string>;
      for (const key of zhKeys) {
        expect(placeholdersOf(en[key] as string).sort(), `${name}: ${key}`).toEqual(placeholdersOf(zh[key] as string).sort());
        expect(zh[key], `${name}: ${key} should be Chinese`).toMatch(/[\u3000-\u9fff\uff00-\uffef]|^[\x20-\x7e{}]+$/);
      }
    }
  });

  it('name every key after its namespace (app and link hold the first UI prefixes, see their headers)', () => {
    for (const [name, ns] of Object.entries(NAMESPACES)) {
      if (name === 'app' || name === 'link') continue;
      for (const key of Object.keys(ns.zhCN)) expect(key.startsWith(`${name}.`), `${key} in ${name}.ts`).toBe(true);
    }
  });

  it('define every key in exactly one namespace, and combine them all', () => {
    const seen = new Map<string, string>();
    for (const [name, ns] of Object.entries(NAMESPACES)) {
      for (const key of Object.keys(ns.zhCN)) {
        expect(seen.get(key), `${key} is in ${seen.get(key)} and ${name}`).toBeUndefined();
        seen.set(key, name);
      }
    }
    expect([...seen.keys()].sort()).toEqual([...keys].sort());
  });

  it('translate every error code, in Chinese with Chinese text', () => {
    for (const code of ERROR_CODES) {
      expect(errorMessage(code, 'zh-CN')).toMatch(/[\u4e00-\u9fff]/);
      expect(errorMessage(code, 'en')).toMatch(/[a-z]/);
    }
    expect(errorMessage('ENROL_CODE_USED', 'zh-CN')).toBe('该注册码已被使用，请向中心管理员申请新的注册码');
  });

  it('offer a grouped view by error code and link state', () => {
    expect(messages['zh-CN'].errors.ENROL_CODE_INVALID).toBe(MESSAGES['zh-CN']['error.ENROL_CODE_INVALID']);
    expect(Object.keys(messages.en.errors).sort()).toEqual([...ERROR_CODES].sort());
    expect(Object.keys(messages.en.link).sort()).toEqual([...LINK_STATES].sort());
    expect(messages['zh-CN'].link).toEqual({ online: '在线', offline: '离线', refused: '已被中心拒绝', unknown: '连接中…' });
  });
});

describe('formatMessage / translate', () => {
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(formatMessage('{a} and {b}', { a: 1, b: 'two' })).toBe('1 and two');
    expect(formatMessage('{a} and {b}', { a: 1 })).toBe('1 and {b}');
    expect(formatMessage('no placeholders')).toBe('no placeholders');
  });

  it('does not treat inherited properties as parameters', () => {
    expect(formatMessage('{toString}', {})).toBe('{toString}');
  });

  it('translates with parameters', () => {
    expect(translate('zh-CN', 'enrol.validation.code.length', { count: 5 })).toBe('注册码应为 8 位（当前 5 位）');
    expect(translate('en', 'footer.version', { version: '1.2.3' })).toBe('Version 1.2.3');
  });

  it('recognises languages', () => {
    expect(isLang('zh-CN')).toBe(true);
    expect(isLang('en')).toBe(true);
    expect(isLang('fr')).toBe(false);
    expect(isLang(null)).toBe(false);
  });
});

describe('bilingual terminal text', () => {
  it('says Chinese first, English second, with the same parameters', () => {
    expect(messagePair('enrol.validation.code.length', { count: 5 })).toEqual({
      zh: '注册码应为 8 位（当前 5 位）',
      en: 'The code has 8 characters (you entered 5)',
    });
    expect(bilingual('footer.version', { version: '1.2.3' })).toBe('版本 1.2.3 / Version 1.2.3');
    expect(bilingualLines('footer.version', { version: '1.2.3' })).toBe('版本 1.2.3\nVersion 1.2.3');
  });

  it('labels table headers "中文 English" and joins pairs built by language', () => {
    expect(bilingualLabel('central.col.lastSeen')).toBe('最近 last seen');
    const queued = messagePairBy('central.message.queued', (lang) => ({ id: 'm1', to: translate(lang, 'central.message.allDevices'), cursor: 4 }));
    expect(pairLines(queued)).toBe('已排队消息 m1（发往 全部设备，序号 4）\nqueued message m1 for all devices (cursor 4)');
    expect(pairLine(messagePair('central.events.none'))).toBe('没有事件 / no events');
  });

  it('adds a detail in brackets to both languages, or an OS detail to the English side only', () => {
    expect(withDetail(messagePair('central.events.none'), 'x')).toEqual({ zh: '没有事件（x）', en: 'no events (x)' });
    expect(withEnglishDetail(messagePair('experts.unreadable', { file: 'a.json' }), 'ENOENT')).toEqual({
      zh: '无法读取专家名册：a.json',
      en: 'cannot read a.json: ENOENT',
    });
  });

  it('makes errors whose message is both languages and whose parts stay apart', () => {
    const error = bilingualError('enrol.validation.code.length', { count: 3 });
    expect(error).toBeInstanceOf(BilingualError);
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('注册码应为 8 位（当前 3 位） / The code has 8 characters (you entered 3)');
    expect([error.key, error.zh, error.en]).toEqual(['enrol.validation.code.length', '注册码应为 8 位（当前 3 位）', 'The code has 8 characters (you entered 3)']);
  });
});

describe('positions', () => {
  it('formats a booth', () => {
    expect(formatBoothPosition(boothA5, 'zh-CN')).toBe('3号评标室 · A5 卡位');
    expect(formatBoothPosition(boothA5, 'en')).toBe('Room 3 · Booth A5');
  });

  it('formats the area entrance and a room door', () => {
    expect(formatGatePosition(areaEntrance, 'zh-CN')).toBe('市公共资源交易中心 · 评标区入口');
    expect(formatGatePosition(room3Door, 'zh-CN')).toBe('3号评标室 门禁');
    expect(formatGatePosition(room3Door, 'en')).toBe('Room 3 door');
  });

  it("falls back to the gate's name for a room door without its room", () => {
    expect(formatGatePosition({ ...room3Door, room: null }, 'zh-CN')).toBe('3号评标室门');
  });
});

describe('formatElapsed', () => {
  it('counts seconds, minutes, hours and days', () => {
    expect(formatElapsed(-3000, 'zh-CN')).toBe('刚刚');
    expect(formatElapsed(4999, 'zh-CN')).toBe('刚刚');
    expect(formatElapsed(12_000, 'zh-CN')).toBe('12 秒前');
    expect(formatElapsed(12_000, 'en')).toBe('12 s ago');
    expect(formatElapsed(3 * 60_000 + 5000, 'zh-CN')).toBe('3 分钟前');
    expect(formatElapsed(5 * 3600_000, 'zh-CN')).toBe('5 小时前');
    expect(formatElapsed(3 * 86_400_000, 'en')).toBe('3 d ago');
  });
});
