import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { SignUpForm } from '../features/auth/components/signup-form';
import { useDocumentTitle } from '../lib/use-document-title';
import { useSession } from '../stores/session-store';
import { AuthLayout } from '../components/ui/auth-layout';

export function SignUpPage() {
  const { t } = useTranslation();
  const { signIn } = useSession();
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
      <SignUpForm onSignedUp={signIn} />
    </AuthLayout>
  );
}
