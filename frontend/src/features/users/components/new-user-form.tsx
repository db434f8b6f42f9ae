import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/ui/error-alert';
import { FormActions } from '../../../components/ui/form-actions';
import { SelectField, TextField } from '../../../components/ui/form-field';
import { isLocale } from '../../../lib/locale';
import { ROLES, type Role, type User } from '../../../lib/types';
import { useFormErrors } from '../../../lib/use-form-errors';
import { createUser } from '../api/users-api';

const FIELDS = ['email', 'name', 'role', 'password'] as const;
type UserField = (typeof FIELDS)[number];
const MIN_PASSWORD_LENGTH = 10;

interface NewUserFormProps {
  onCreated: (user: User) => void;
  onCancel: () => void;
}

/** NewUserForm lets an admin add a colleague with a first password. */
export function NewUserForm({ onCreated, onCancel }: NewUserFormProps) {
  const { t, i18n } = useTranslation();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('agent');
  const [password, setPassword] = useState('');
  const { fieldErrors, setFieldErrors, formError, clear, pending, run } = useFormErrors(FIELDS);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    clear();
    const errs: Partial<Record<UserField, string>> = {};
    if (!email.trim()) errs.email = t('validation.required');
    if (!name.trim()) errs.name = t('validation.required');
    if (!password) errs.password = t('validation.required');
    else if (password.length < MIN_PASSWORD_LENGTH) errs.password = t('validation.passwordTooShort', { count: MIN_PASSWORD_LENGTH });
    if (Object.keys(errs).length > 0) {
      setFieldErrors(errs);
      return;
    }
    await run(async () => {
      const user = await createUser({
        email: email.trim(),
        name: name.trim(),
        role,
        password,
        locale: isLocale(i18n.language) ? i18n.language : undefined,
      });
      onCreated(user);
    });
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      <ErrorAlert error={formError} />
      <TextField label={t('settings.users.email')} type="email" autoComplete="off" value={email} onChange={setEmail} error={fieldErrors.email} autoFocus />
      <TextField label={t('settings.users.name')} autoComplete="off" value={name} onChange={setName} error={fieldErrors.name} />
      <SelectField label={t('settings.users.role')} value={role} onChange={(v) => setRole(v as Role)} error={fieldErrors.role}>
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {t(`roles.${r}`)}
          </option>
        ))}
      </SelectField>
      <TextField
        label={t('settings.users.password')}
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={setPassword}
        error={fieldErrors.password}
        hint={t('auth.passwordHint', { count: MIN_PASSWORD_LENGTH })}
      />
      <FormActions pending={pending} submitLabel={t('settings.users.add')} onCancel={onCancel} />
    </form>
  );
}
