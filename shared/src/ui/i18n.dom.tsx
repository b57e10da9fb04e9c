import { createContext, use, useCallback, useEffect, useMemo, useState, type CSSProperties, type ReactNode } from 'react';
import { App as AntApp, Button, ConfigProvider, type ThemeConfig } from 'antd';
import antdZhCN from 'antd/es/locale/zh_CN';
import antdEnUS from 'antd/es/locale/en_US';
import { DEFAULT_LANG, isLang, translatorFor, type Lang, type Translate } from '../i18n/messages.ts';

/**
 * Language and look for both apps. Chinese is the default; the choice survives restarts through
 * localStorage, because a booth PC is shared by many experts and the technician sets it once.
 */

export const LANG_STORAGE_KEY = 'kawei.lang';

/** System fonts only: nothing may load from a CDN, and the devices ship fonts-noto-cjk. */
export const KAWEI_FONT_FAMILY = [
  '"Noto Sans CJK SC"',
  '"Source Han Sans SC"',
  '"Microsoft YaHei"',
  '"PingFang SC"',
  '"WenQuanYi Micro Hei"',
  'system-ui',
  'sans-serif',
].join(', ');

/** Large type and large controls: many experts are older, and the screens are used by touch. */
export const KAWEI_THEME: ThemeConfig = {
  token: {
    fontFamily: KAWEI_FONT_FAMILY,
    fontSize: 20,
    fontSizeLG: 22,
    controlHeight: 48,
    controlHeightLG: 60,
    borderRadius: 8,
    colorPrimary: '#1a56b8',
  },
  components: {
    Button: { contentFontSizeLG: 24, paddingInlineLG: 28 },
    Form: { labelFontSize: 20, verticalLabelPadding: '0 0 6px' },
  },
};

function readStoredLang(): Lang {
  try {
    const stored = localStorage.getItem(LANG_STORAGE_KEY);
    return isLang(stored) ? stored : DEFAULT_LANG;
  } catch {
    return DEFAULT_LANG;
  }
}

function storeLang(lang: Lang): void {
  try {
    localStorage.setItem(LANG_STORAGE_KEY, lang);
  } catch {
    // Storage disabled: the choice lasts until the page reloads.
  }
}

export interface I18nValue {
  readonly lang: Lang;
  readonly setLang: (lang: Lang) => void;
  readonly t: Translate;
}

const I18nContext = createContext<I18nValue | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(readStoredLang);
  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    storeLang(next);
  }, []);

  useEffect(() => {
    // Screen readers and the browser's font fallback pick glyphs by the document language.
    document.documentElement.lang = lang;
  }, [lang]);

  const value = useMemo<I18nValue>(() => ({ lang, setLang, t: translatorFor(lang) }), [lang, setLang]);
  return (
    <I18nContext value={value}>
      <ConfigProvider locale={lang === 'en' ? antdEnUS : antdZhCN} theme={KAWEI_THEME} componentSize="large">
        <AntApp>{children}</AntApp>
      </ConfigProvider>
    </I18nContext>
  );
}

export function useT(): I18nValue {
  const value = use(I18nContext);
  if (!value) throw new Error('useT() needs an <I18nProvider> above it');
  return value;
}

/**
 * One button that switches between the two languages. It is labelled in the language it switches
 * to ("English" / "中文"), so someone who cannot read the current one still finds it.
 */
export function LanguageToggle({ style }: { style?: CSSProperties }) {
  const { lang, setLang, t } = useT();
  const other: Lang = lang === 'en' ? 'zh-CN' : 'en';
  return (
    <Button
      data-testid="lang-toggle"
      size="large"
      lang={other}
      aria-label={t('lang.toggle.aria')}
      onClick={() => setLang(other)}
      style={{ minWidth: 120, minHeight: 56, ...style }}
    >
      {t('lang.toggle')}
    </Button>
  );
}

/** A translator for the language not shown, for bilingual headings ("设备注册 / Device enrolment"). */
export function useOtherLanguage(): Translate {
  const { lang } = useT();
  return useMemo(() => translatorFor(lang === 'en' ? 'zh-CN' : 'en'), [lang]);
}
