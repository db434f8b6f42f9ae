import type { Locale } from './types';

export const LOCALES: readonly Locale[] = ['ru', 'en'];
export const LOCALE_STORAGE_KEY = 'warmline.locale';

export function isLocale(value: unknown): value is Locale {
  return value === 'ru' || value === 'en';
}

/** localeFromLanguageTag maps a BCP 47 tag like "ru-RU" to a shipped locale: ru* is Russian, anything else English. */
export function localeFromLanguageTag(tag: string | undefined | null): Locale {
  return tag && tag.toLowerCase().startsWith('ru') ? 'ru' : 'en';
}

/** storedLocale returns the locale remembered in this browser, if any. */
export function storedLocale(): Locale | null {
  try {
    const v = window.localStorage.getItem(LOCALE_STORAGE_KEY);
    return isLocale(v) ? v : null;
  } catch {
    return null;
  }
}

export function rememberLocale(locale: Locale): void {
  try {
    window.localStorage.setItem(LOCALE_STORAGE_KEY, locale);
  } catch {
    // private mode or storage full: the choice lasts for this tab only
  }
}

/** detectLocale picks the UI language on load: the remembered one, else the browser's. */
export function detectLocale(): Locale {
  const stored = storedLocale();
  if (stored) return stored;
  const nav = typeof navigator !== 'undefined' ? navigator.language : undefined;
  return localeFromLanguageTag(nav);
}
