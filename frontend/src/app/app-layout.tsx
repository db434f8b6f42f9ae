import { useTranslation } from 'react-i18next';
import { Outlet } from 'react-router';
import { AppHeader } from './app-header';
import { RealtimeProvider } from './realtime-provider';

/**
 * AppLayout is the frame of every page behind login: a skip link, the
 * header and the page, with the tab's live connection around them.
 */
export function AppLayout() {
  const { t } = useTranslation();
  return (
    <RealtimeProvider>
      <div className="app">
        <a href="#main" className="skip-link">
          {t('nav.skipToContent')}
        </a>
        <AppHeader />
        <main id="main" className="app-main" tabIndex={-1}>
          <Outlet />
        </main>
      </div>
    </RealtimeProvider>
  );
}
