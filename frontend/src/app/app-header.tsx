import { useTranslation } from 'react-i18next';
import { Link, NavLink } from 'react-router';
import { LanguageSwitch } from '../components/ui/language-switch';
import { LiveStatus } from '../components/ui/live-status';
import { Logo } from '../components/ui/logo';
import { useLogout } from '../features/auth/hooks/use-logout';
import { StateSwitcher } from '../features/presence/components/state-switcher';
import { canAct } from '../lib/types';
import { useSession } from '../stores/session-store';

/** AppHeader is the top bar: product name, main navigation, language, who is logged in and logout. */
export function AppHeader() {
  const { t } = useTranslation();
  const { user, organisation } = useSession();
  const { logout, pending } = useLogout();
  const linkClass = ({ isActive }: { isActive: boolean }) => (isActive ? 'nav__link nav__link--active' : 'nav__link');

  return (
    <header className="app-header">
      <Link to="/clients" className="brand">
        <Logo />
        <span className="brand__name">Warmline</span>
      </Link>
      {organisation && <span className="app-header__org" title={organisation.name}>{organisation.name}</span>}
      <nav className="nav" aria-label={t('nav.label')}>
        {/* Rules engine (issue 5): the agent's day, and the supervisors' work queues. */}
        <NavLink to="/my-day" className={linkClass}>
          {t('rulesEngine.nav.myDay')}
        </NavLink>
        {canAct(user?.role, 'supervisor') && (
          <NavLink to="/queues" className={linkClass}>
            {t('rulesEngine.nav.queues')}
          </NavLink>
        )}
        <NavLink to="/clients" className={linkClass}>
          {t('nav.clients')}
        </NavLink>
        <NavLink to="/board" className={linkClass}>
          {t('nav.board')}
        </NavLink>
        {canAct(user?.role, 'supervisor') && (
          <NavLink to="/wallboard" className={linkClass}>
            {t('nav.wallboard')}
          </NavLink>
        )}
        {/* Plans (issue 5): supervisors set agents' plans. */}
        {canAct(user?.role, 'supervisor') && (
          <NavLink to="/plans" className={linkClass}>
            {t('plans.nav')}
          </NavLink>
        )}
        {canAct(user?.role, 'supervisor') && (
          <NavLink to="/import" className={linkClass}>
            {t('nav.import')}
          </NavLink>
        )}
        {canAct(user?.role, 'admin') && (
          <NavLink to="/settings" className={linkClass}>
            {t('nav.settings')}
          </NavLink>
        )}
      </nav>
      <div className="app-header__end">
        <LiveStatus />
        {user && <StateSwitcher />}
        <LanguageSwitch />
        {user && (
          <span className="user-chip">
            <span className="user-chip__name">{user.name}</span>
            <span className="user-chip__role">{t(`roles.${user.role}`)}</span>
          </span>
        )}
        <button type="button" className="btn btn--ghost btn--small" onClick={() => void logout()} disabled={pending}>
          {t('auth.logOut')}
        </button>
      </div>
    </header>
  );
}
