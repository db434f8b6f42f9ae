import { useTranslation } from 'react-i18next';
import { Outlet, useLocation, useSearchParams } from 'react-router';
import { AlertCenter } from '../features/alerts/alert-center';
import { SoftphoneDock } from '../features/softphone/components/softphone-dock';
import { SoftphoneProvider } from '../features/softphone/softphone-provider';
import { isTvMode } from '../features/wallboard/tv-mode';
import { AppHeader } from './app-header';
import { RealtimeProvider } from './realtime-provider';

/**
 * AppLayout is the frame of every page behind login: a skip link, the
 * header and the page, with the tab's live connection and softphone around
 * them; the softphone docks in a corner. The wallboard's TV mode shows the
 * page alone.
 */
export function AppLayout() {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  const [params] = useSearchParams();
  // The wallboard's TV mode fills the screen: no skip link, no header.
  const tv = isTvMode(pathname, params);
  return (
    <RealtimeProvider>
      <SoftphoneProvider>
        <div className={tv ? 'app app--tv' : 'app'}>
          {!tv && (
            <a href="#main" className="skip-link">
              {t('nav.skipToContent')}
            </a>
          )}
          {!tv && <AppHeader />}
          <main id="main" className="app-main" tabIndex={-1}>
            <Outlet />
          </main>
          {!tv && <AlertCenter />}
          {!tv && <SoftphoneDock />}
        </div>
      </SoftphoneProvider>
    </RealtimeProvider>
  );
}
