import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { LOCALES, detectLocale, rememberLocale, isLocale } from '../../lib/locale';
import en from './en.json';
import ru from './ru.json';

export const resources = {
  ru: { translation: ru },
  en: { translation: en },
} as const;

/**
 * initI18n starts i18next with both shipped languages. Plural forms come from
 * Intl.PluralRules, so Russian gets one/few/many and English one/other.
 */
export function initI18n(lng: string = detectLocale()) {
  if (!i18n.isInitialized) {
    void i18n.use(initReactI18next).init({
      resources,
      lng,
      fallbackLng: 'en',
      supportedLngs: [...LOCALES],
      interpolation: { escapeValue: false },
      returnNull: false,
      initAsync: false,
      showSupportNotice: false,
    });
    i18n.on('languageChanged', (l) => {
      if (typeof document !== 'undefined') document.documentElement.lang = l;
      if (isLocale(l)) rememberLocale(l);
    });
  } else if (i18n.language !== lng) {
    void i18n.changeLanguage(lng);
  }
  if (typeof document !== 'undefined') document.documentElement.lang = lng;
  return i18n;
}

export default i18n;
