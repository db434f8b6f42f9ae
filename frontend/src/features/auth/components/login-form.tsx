import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/ui/error-alert';
import { TextField } from '../../../components/ui/form-field';
import { isApiError } from '../../../lib/api-client';
import type { Session } from '../../../lib/types';
import { login } from '../api/auth-api';
import { useFormErrors } from '../../../lib/use-form-errors';

const FIELDS = ['email', 'password'] as const;

interface LoginFormProps {
  onLoggedIn: (session: Session) => void;
}

/** LoginForm asks for e-mail and password and shows the API's answer when it refuses. */
export function LoginForm({ onLoggedIn }: LoginFormProps) {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [pending, setPending] = useState(false);
  const { fieldErrors, setFieldErrors, formError, clear, fromError } = useFormErrors(FIELDS);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    clear();
    const missing: Partial<Record<(typeof FIELDS)[number], string>> = {};
    if (!email.trim()) missing.email = t('validation.required');
    if (!password) missing.password = t('validation.required');
    if (Object.keys(missing).length > 0) {
      setFieldErrors(missing);
      return;
    }
    setPending(true);
    try {
      const session = await login(email.trim(), password);
      onLoggedIn(session);
    } catch (err) {
      fromError(err);
      setPending(false);
    }
  };

  return (
    <form className="form auth-form" onSubmit={onSubmit} noValidate>
      <ErrorAlert
        error={formError}
        title={isApiError(formError) && formError.code === 'unauthorized' ? t('auth.badCredentials') : undefined}
      />
      <TextField
        label={t('auth.email')}
        type="email"
        name="email"
        autoComplete="username"
        value={email}
        onChange={setEmail}
        error={fieldErrors.email}
        autoFocus
      />
      <TextField
        label={t('auth.password')}
        type="password"
        name="password"
        autoComplete="current-password"
        value={password}
        onChange={setPassword}
        error={fieldErrors.password}
      />
      <button type="submit" className="btn btn--primary btn--block" disabled={pending}>
        {pending ? t('auth.loggingIn') : t('auth.logIn')}
      </button>
    </form>
  );
}
