import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { SignUpForm } from '../features/auth/components/signup-form';
import { useDocumentTitle } from '../lib/use-document-title';
import { useSession } from '../stores/session-store';
import { AuthLayout } from '../components/ui/auth-layout';

export function SignUpPage() {
  const { t } = useTranslation();
  const { signIn } = useSession();
  const navigate = useNavigate();
  useDocumentTitle(t('auth.signUpTitle'));

  return (
    <AuthLayout
      title={t('auth.signUpTitle')}
      footer={
        <>
          {t('auth.haveAccount')} <Link to="/login">{t('auth.logInLink')}</Link>
        </>
      }
    >
      <SignUpForm
        onSignedUp={(session) => {
          signIn(session);
          navigate('/clients', { replace: true });
        }}
      />
    </AuthLayout>
  );
}
