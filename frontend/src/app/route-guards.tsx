import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation } from 'react-router';
import { Loading } from '../components/ui/loading';
import { useSession } from '../stores/session-store';

/** SessionGate waits for GET /auth/me before showing anything that depends on it. */
function SessionWaiting() {
  const { t } = useTranslation();
  const { status, reload } = useSession();
  if (status === 'error') {
    return (
      <div className="center-screen">
        <div className="alert alert--error" role="alert">
          <strong className="alert__title">{t('errors.sessionCheckFailed')}</strong>
        </div>
        <button type="button" className="btn btn--primary" onClick={reload}>
          {t('common.retry')}
        </button>
      </div>
    );
  }
  return (
    <div className="center-screen">
      <Loading />
    </div>
  );
}

/** RequireAuth sends users who are not logged in to the login page, remembering where they were going. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { status } = useSession();
  const location = useLocation();
  if (status === 'loading' || status === 'error') return <SessionWaiting />;
  if (status === 'anonymous') return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  return <>{children}</>;
}

/**
 * PublicOnly sends logged-in users away from the login and signup pages: to
 * the page they were sent to log in from, else to the client list. Logging
 * in therefore needs no navigation of its own.
 */
export function PublicOnly({ children }: { children: ReactNode }) {
  const { status } = useSession();
  const location = useLocation();
  if (status === 'loading' || status === 'error') return <SessionWaiting />;
  if (status === 'authenticated') {
    const from = (location.state as { from?: unknown } | null)?.from;
    const to = typeof from === 'string' && from.startsWith('/') && !from.startsWith('/login') && !from.startsWith('/signup') ? from : '/clients';
    return <Navigate to={to} replace />;
  }
  return <>{children}</>;
}
