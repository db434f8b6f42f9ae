import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { LanguageSwitch } from './language-switch';
import { Logo } from './logo';

/** AuthLayout frames the login and signup pages: brand, language and one card. */
export function AuthLayout({ title, children, footer }: { title: string; children: ReactNode; footer: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="auth-page">
      <header className="auth-page__top">
        <span className="brand">
          <Logo />
          <span className="brand__name">Warmline</span>
        </span>
        <LanguageSwitch />
      </header>
      <main className="auth-page__main" id="main">
        <div className="auth-card">
          <p className="auth-card__tagline">{t('app.tagline')}</p>
          <h1 className="auth-card__title">{title}</h1>
          {children}
          <div className="auth-card__footer">{footer}</div>
        </div>
      </main>
    </div>
  );
}
