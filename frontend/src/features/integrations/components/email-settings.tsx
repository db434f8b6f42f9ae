import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/ui/error-alert';
import { Loading } from '../../../components/ui/loading';
import { FormActions } from '../../../components/ui/form-actions';
import { SelectField, TextField } from '../../../components/ui/form-field';
import { useToast } from '../../../components/ui/toast';
import { useFormErrors } from '../../../lib/use-form-errors';
import { useResource } from '../../../lib/use-resource';
import { useLiveRefresh } from '../../../stores/realtime-store';
import {
  EMAIL_SECURITIES,
  deleteEmailSettings,
  fetchEmailSettings,
  saveEmailSettings,
  sendTestEmail,
  type EmailSecurity,
  type EmailSettings,
  type EmailSettingsInput,
  type EmailTestResult,
} from '../api/email-api';

const FIELDS = ['host', 'port', 'security', 'username', 'password', 'from_address', 'handoff_address'] as const;

/** EmailSettingsPanel loads the SMTP settings, edits them and sends a test e-mail. */
export function EmailSettingsPanel() {
  const { t } = useTranslation();
  const settings = useResource((signal) => fetchEmailSettings(signal), []);
  useLiveRefresh(['email_settings.changed'], settings.refresh);
  return (
    <section aria-labelledby="email-title" className="email-settings">
      <h2 id="email-title" className="section-title">
        {t('integrations.email.title')}
      </h2>
      <p className="muted small">{t('integrations.email.help')}</p>
      {!settings.data ? (
        settings.error ? (
          <ErrorAlert error={settings.error} />
        ) : (
          <Loading />
        )
      ) : (
        <>
          {/* A new form when the saved settings change elsewhere, so it starts from them. */}
          <EmailSettingsForm key={settings.data.updated_at ?? 'none'} settings={settings.data} onSaved={settings.setData} />
          <EmailTestForm configured={settings.data.configured} />
        </>
      )}
    </section>
  );
}

interface EmailSettingsFormProps {
  settings: EmailSettings;
  onSaved: (s: EmailSettings) => void;
}

/**
 * EmailSettingsForm edits the SMTP settings. The password is write-only:
 * the form says whether one is set, sends one only when typed, and removes
 * it only when asked.
 */
export function EmailSettingsForm({ settings, onSaved }: EmailSettingsFormProps) {
  const { t } = useTranslation();
  const toast = useToast();
  const removeId = useId();
  const [host, setHost] = useState(settings.host);
  const [port, setPort] = useState(String(settings.port || 587));
  const [security, setSecurity] = useState<EmailSecurity>(settings.security || 'starttls');
  const [username, setUsername] = useState(settings.username);
  const [password, setPassword] = useState('');
  const [removePassword, setRemovePassword] = useState(false);
  const [from, setFrom] = useState(settings.from_address);
  const [handoff, setHandoff] = useState(settings.handoff_address);
  const { fieldErrors, setFieldErrors, formError, clear, pending, run } = useFormErrors(FIELDS);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    clear();
    const errs: Partial<Record<(typeof FIELDS)[number], string>> = {};
    if (!host.trim()) errs.host = t('validation.required');
    const p = Number(port);
    if (!Number.isInteger(p) || p < 1 || p > 65535) errs.port = t('integrations.email.port1to65535');
    if (!from.trim()) errs.from_address = t('validation.required');
    if (Object.keys(errs).length > 0) {
      setFieldErrors(errs);
      return;
    }
    const input: EmailSettingsInput = {
      host: host.trim(),
      port: p,
      security,
      username: username.trim(),
      from_address: from.trim(),
      handoff_address: handoff.trim(),
    };
    if (password) input.password = password;
    else if (removePassword) input.password = '';
    await run(async () => {
      const saved = await saveEmailSettings(input);
      setPassword('');
      setRemovePassword(false);
      onSaved(saved);
      toast.show(t('integrations.email.saved'), 'success');
    });
  };

  const remove = async () => {
    if (!window.confirm(t('integrations.email.confirmDelete'))) return;
    clear();
    await run(async () => {
      await deleteEmailSettings();
      onSaved({ ...settings, configured: false, has_password: false, updated_at: null });
      toast.show(t('integrations.email.deleted'), 'success');
    });
  };

  return (
    <form className="form form--narrow" onSubmit={submit} noValidate aria-label={t('integrations.email.title')}>
      <p className={settings.configured ? 'status--ok' : 'muted'} role="status">
        {settings.configured ? t('integrations.email.configured') : t('integrations.email.notConfigured')}
      </p>
      <ErrorAlert error={formError} />
      <div className="form-row">
        <TextField
          label={t('integrations.email.host')}
          value={host}
          onChange={setHost}
          error={fieldErrors.host}
          hint={t('integrations.email.hostHint')}
          maxLength={253}
          autoComplete="off"
        />
        <TextField label={t('integrations.email.port')} value={port} onChange={setPort} error={fieldErrors.port} inputMode="numeric" />
      </div>
      <SelectField
        label={t('integrations.email.security')}
        value={security}
        onChange={(v) => setSecurity(v as EmailSecurity)}
        error={fieldErrors.security}
      >
        {EMAIL_SECURITIES.map((s) => (
          <option key={s} value={s}>
            {t(`integrations.email.securities.${s}`)}
          </option>
        ))}
      </SelectField>
      <TextField
        label={t('integrations.email.username')}
        value={username}
        onChange={setUsername}
        error={fieldErrors.username}
        hint={t('integrations.email.usernameHint')}
        autoComplete="off"
      />
      <TextField
        label={t('integrations.email.password')}
        value={password}
        onChange={(v) => {
          setPassword(v);
          if (v) setRemovePassword(false);
        }}
        error={fieldErrors.password}
        hint={settings.has_password ? t('integrations.email.passwordSet') : t('integrations.email.passwordNotSet')}
        type="password"
        autoComplete="new-password"
      />
      {settings.has_password && (
        <div className="field">
          <div className="checkbox">
            <input
              id={removeId}
              type="checkbox"
              checked={removePassword}
              disabled={password !== ''}
              onChange={(e) => setRemovePassword(e.target.checked)}
            />
            <label htmlFor={removeId}>{t('integrations.email.removePassword')}</label>
          </div>
        </div>
      )}
      <TextField
        label={t('integrations.email.fromAddress')}
        value={from}
        onChange={setFrom}
        error={fieldErrors.from_address}
        type="email"
        maxLength={254}
      />
      <TextField
        label={t('integrations.email.handoffAddress')}
        value={handoff}
        onChange={setHandoff}
        error={fieldErrors.handoff_address}
        hint={t('integrations.email.handoffHint')}
        type="email"
        maxLength={254}
      />
      <FormActions pending={pending}>
        {settings.configured && (
          <button type="button" className="btn btn--danger-ghost" onClick={() => void remove()} disabled={pending}>
            {t('integrations.email.delete')}
          </button>
        )}
      </FormActions>
    </form>
  );
}

/** EmailTestForm sends a test e-mail and shows what the SMTP server answered. */
export function EmailTestForm({ configured }: { configured: boolean }) {
  const { t } = useTranslation();
  const [to, setTo] = useState('');
  const [pending, setPending] = useState(false);
  const [result, setResult] = useState<EmailTestResult | null>(null);
  const { fieldErrors, setFieldErrors, formError, clear, fromError } = useFormErrors(['to'] as const);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    clear();
    setResult(null);
    if (!to.trim()) {
      setFieldErrors({ to: t('validation.required') });
      return;
    }
    setPending(true);
    try {
      setResult(await sendTestEmail(to.trim()));
    } catch (err) {
      fromError(err);
    } finally {
      setPending(false);
    }
  };

  return (
    <form className="form" onSubmit={submit} noValidate aria-labelledby="email-test-title">
      <h3 id="email-test-title" className="section-title">
        {t('integrations.email.testTitle')}
      </h3>
      {!configured && <p className="muted small">{t('integrations.email.testNeedsSettings')}</p>}
      <ErrorAlert error={formError} />
      <div className="email-test">
        <TextField label={t('integrations.email.testTo')} value={to} onChange={setTo} error={fieldErrors.to} type="email" maxLength={254} />
        <div className="form-actions">
          <button type="submit" className="btn btn--secondary" disabled={pending || !configured}>
            {pending ? t('integrations.email.testSending') : t('integrations.email.testSend')}
          </button>
        </div>
      </div>
      <div role="status">
        {result?.sent && <p className="status--ok">{t('integrations.email.testSent')}</p>}
        {result && !result.sent && (
          <div className="alert alert--error">
            <strong className="alert__title">{t('integrations.email.testFailed')}</strong>
            <span className="alert__detail mono">{result.error}</span>
          </div>
        )}
      </div>
    </form>
  );
}
