import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { LoginForm } from '../features/auth/components/login-form';
import { useDocumentTitle } from '../lib/use-document-title';
import { useSession } from '../stores/session-store';
import { AuthLayout } from '../components/ui/auth-layout';

export function LoginPage() {
  const { t } = useTranslation();
  const { signIn } = useSession();
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
      {/* Once signed in, PublicOnly moves on to where the user was going. */}
      <LoginForm onLoggedIn={signIn} />
    </AuthLayout>
  );
}
