import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate } from 'react-router';
import { LoginForm } from '../features/auth/components/login-form';
import { useDocumentTitle } from '../lib/use-document-title';
import { useSession } from '../stores/session-store';
import { AuthLayout } from '../components/ui/auth-layout';

export function LoginPage() {
  const { t } = useTranslation();
  const { signIn } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from;
  useDocumentTitle(t('auth.loginTitle'));

  return (
    <AuthLayout
      title={t('auth.loginTitle')}
      footer={
        <>
          {t('auth.noAccount')} <Link to="/signup">{t('auth.signUpLink')}</Link>
        </>
      }
    >
      <LoginForm
        onLoggedIn={(session) => {
          signIn(session);
          navigate(from && from !== '/login' ? from : '/clients', { replace: true });
        }}
      />
    </AuthLayout>
  );
}
