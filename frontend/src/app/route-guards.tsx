import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useLocation } from 'react-router';
import { isTvMode } from '../features/wallboard/tv-mode';
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
  if (status === 'anonymous' && isTvMode(location.pathname, new URLSearchParams(location.search))) {
    return <SessionEndedScreen from={location.pathname + location.search} />;
  }
  if (status === 'anonymous') return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  return <>{children}</>;
}

/**
 * PublicOnly sends logged-in users away from the login and signup pages: to
 * the page they were sent to log in from, else home (an agent's day, the
 * client list for the others). Logging in therefore needs no navigation of its own.
 */
export function PublicOnly({ children }: { children: ReactNode }) {
  const { status } = useSession();
  const location = useLocation();
  if (status === 'loading' || status === 'error') return <SessionWaiting />;
  if (status === 'authenticated') {
    const from = (location.state as { from?: unknown } | null)?.from;
    const to = typeof from === 'string' && from.startsWith('/') && !from.startsWith('/login') && !from.startsWith('/signup') ? from : '/';
    return <Navigate to={to} replace />;
  }
  return <>{children}</>;
}

/**
 * SessionEndedScreen replaces a wallboard on a TV when the session ends:
 * a screen nobody touches must say, from across the room, that it stopped.
 */
function SessionEndedScreen({ from }: { from: string }) {
  const { t } = useTranslation();
  return (
    <div className="session-ended" role="alert">
      <h1 className="session-ended__title">{t('wallboard.sessionExpired')}</h1>
      <p className="session-ended__detail">{t('wallboard.sessionExpiredDetail')}</p>
      <Link to="/login" state={{ from }} className="btn btn--primary">
        {t('wallboard.logInAgain')}
      </Link>
    </div>
  );
}
