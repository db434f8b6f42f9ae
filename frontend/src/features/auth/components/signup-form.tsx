import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/ui/error-alert';
import { TextField } from '../../../components/ui/form-field';
import { isLocale } from '../../../lib/locale';
import type { Session } from '../../../lib/types';
import { signUp } from '../api/auth-api';
import { useFormErrors } from '../../../lib/use-form-errors';

const FIELDS = ['org_name', 'name', 'email', 'password'] as const;
type SignUpField = (typeof FIELDS)[number];

export const MIN_PASSWORD_LENGTH = 10;

interface SignUpFormProps {
  onSignedUp: (session: Session) => void;
}

function browserTimeZone(): string | undefined {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;
  } catch {
    return undefined;
  }
}

/** SignUpForm registers a new organisation and its first admin. */
export function SignUpForm({ onSignedUp }: SignUpFormProps) {
  const { t, i18n } = useTranslation();
  const [values, setValues] = useState<Record<SignUpField, string>>({ org_name: '', name: '', email: '', password: '' });
  const [pending, setPending] = useState(false);
  const { fieldErrors, setFieldErrors, formError, clear, fromError } = useFormErrors(FIELDS);
  const set = (field: SignUpField) => (v: string) => setValues((s) => ({ ...s, [field]: v }));

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    clear();
    const errs: Partial<Record<SignUpField, string>> = {};
    for (const f of FIELDS) if (!values[f].trim()) errs[f] = t('validation.required');
    if (!errs.password && values.password.length < MIN_PASSWORD_LENGTH) {
      errs.password = t('validation.passwordTooShort', { count: MIN_PASSWORD_LENGTH });
    }
    if (Object.keys(errs).length > 0) {
      setFieldErrors(errs);
      return;
    }
    setPending(true);
    try {
      const session = await signUp({
        org_name: values.org_name.trim(),
        name: values.name.trim(),
        email: values.email.trim(),
        password: values.password,
        locale: isLocale(i18n.language) ? i18n.language : undefined,
        time_zone: browserTimeZone(),
      });
      onSignedUp(session);
    } catch (err) {
      fromError(err);
      setPending(false);
    }
  };

  return (
    <form className="form auth-form" onSubmit={onSubmit} noValidate>
      <ErrorAlert error={formError} />
      <TextField
        label={t('auth.orgName')}
        name="org_name"
        autoComplete="organization"
        value={values.org_name}
        onChange={set('org_name')}
        error={fieldErrors.org_name}
        autoFocus
      />
      <TextField
        label={t('auth.yourName')}
        name="name"
        autoComplete="name"
        value={values.name}
        onChange={set('name')}
        error={fieldErrors.name}
      />
      <TextField
        label={t('auth.email')}
        type="email"
        name="email"
        autoComplete="email"
        value={values.email}
        onChange={set('email')}
        error={fieldErrors.email}
      />
      <TextField
        label={t('auth.password')}
        type="password"
        name="password"
        autoComplete="new-password"
        value={values.password}
        onChange={set('password')}
        error={fieldErrors.password}
        hint={t('auth.passwordHint', { count: MIN_PASSWORD_LENGTH })}
      />
      <button type="submit" className="btn btn--primary btn--block" disabled={pending}>
        {pending ? t('auth.signingUp') : t('auth.signUp')}
      </button>
    </form>
  );
}
