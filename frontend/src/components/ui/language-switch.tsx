import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { LOCALES, isLocale } from '../../lib/locale';
import { useSession } from '../../stores/session-store';

/** LanguageSwitch picks the UI language; its label is bilingual so anyone can find it. */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const { changeLocale } = useSession();
  const id = useId();
  const current = isLocale(i18n.language) ? i18n.language : 'en';
  return (
    <div className="language-switch">
      <label htmlFor={id} className="visually-hidden">
        {t('language.label')}
      </label>
      <select
        id={id}
        className="input select select--compact"
        value={current}
        onChange={(e) => {
          const next = e.target.value;
          if (isLocale(next)) void changeLocale(next);
        }}
      >
        {LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>
            {t(`language.${l}`)}
          </option>
        ))}
      </select>
    </div>
  );
}
