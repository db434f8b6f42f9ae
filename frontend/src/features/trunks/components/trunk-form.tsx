import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/ui/error-alert';
import { FormActions } from '../../../components/ui/form-actions';
import { CheckboxField, SelectField, TextAreaField, TextField } from '../../../components/ui/form-field';
import { ApiError, isApiError } from '../../../lib/api-client';
import { useFormErrors } from '../../../lib/use-form-errors';
import type { Trunk, TrunkAuthMode, TrunkInput, TrunkTransport } from '../api/trunks-api';

const FIELDS = [
  'name',
  'host',
  'port',
  'transport',
  'auth_mode',
  'username',
  'password',
  'register_expires',
  'outbound_proxy',
  'caller_id',
  'codecs',
  'allowed_sources',
  'enabled',
] as const;
type FieldName = (typeof FIELDS)[number];

/** Codec choices, in preference order: G.711 passes through the gateway untouched. */
const CODEC_CHOICES = ['PCMU,PCMA', 'PCMA,PCMU', 'PCMU', 'PCMA'] as const;

/** fieldOf maps a server field like allowed_sources[2] onto the form's field. */
function fieldOf(err: unknown): unknown {
  if (!isApiError(err) || !err.field) return err;
  const base = err.field.replace(/[[.].*$/, '');
  return base === err.field ? err : new ApiError(err.status, err.code, err.message, base);
}

interface TrunkFormProps {
  trunk?: Trunk;
  onSubmit: (input: TrunkInput) => Promise<void>;
  onCancel: () => void;
}

/**
 * TrunkForm edits a SIP trunk. The password is write-only: the form says
 * whether one is set and sends one only when the admin types it.
 */
export function TrunkForm({ trunk, onSubmit, onCancel }: TrunkFormProps) {
  const { t } = useTranslation();
  const [name, setName] = useState(trunk?.name ?? '');
  const [host, setHost] = useState(trunk?.host ?? '');
  const [port, setPort] = useState(String(trunk?.port ?? 5060));
  const [transport, setTransport] = useState<TrunkTransport>(trunk?.transport ?? 'udp');
  const [authMode, setAuthMode] = useState<TrunkAuthMode>(trunk?.auth_mode ?? 'register');
  const [username, setUsername] = useState(trunk?.username ?? '');
  const [password, setPassword] = useState('');
  const [expires, setExpires] = useState(String(trunk?.register_expires ?? 300));
  const [proxy, setProxy] = useState(trunk?.outbound_proxy ?? '');
  const [callerId, setCallerId] = useState(trunk?.caller_id ?? '');
  const [codecs, setCodecs] = useState((trunk?.codecs ?? ['PCMU', 'PCMA']).join(','));
  const [sources, setSources] = useState((trunk?.allowed_sources ?? []).join('\n'));
  const [enabled, setEnabled] = useState(trunk?.enabled ?? true);
  const { fieldErrors, setFieldErrors, formError, clear, pending, run } = useFormErrors(FIELDS);
  const register = authMode === 'register';

  /** check finds what can be told before asking the server. */
  const check = (): Partial<Record<FieldName, string>> => {
    const errs: Partial<Record<FieldName, string>> = {};
    if (!name.trim()) errs.name = t('validation.required');
    if (!host.trim()) errs.host = t('validation.required');
    const p = Number(port);
    if (!Number.isInteger(p) || p < 1 || p > 65535) errs.port = t('phone.trunks.errors.port');
    if (register) {
      if (!username.trim()) errs.username = t('phone.trunks.errors.username');
      if (!password && !trunk?.has_password) errs.password = t('phone.trunks.errors.password');
      const e = Number(expires);
      if (!Number.isInteger(e) || e < 60 || e > 86400) errs.register_expires = t('phone.trunks.errors.expires');
    }
    return errs;
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    clear();
    const errs = check();
    if (Object.keys(errs).length > 0) {
      setFieldErrors(errs);
      return;
    }
    const input: TrunkInput = {
      name: name.trim(),
      host: host.trim(),
      port: Number(port),
      transport,
      auth_mode: authMode,
      username: register ? username.trim() : '',
      register_expires: Number(expires) || 300,
      outbound_proxy: proxy.trim(),
      caller_id: callerId.trim(),
      codecs: codecs.split(','),
      allowed_sources: sources
        .split(/[\s,;]+/)
        .map((s) => s.trim())
        .filter(Boolean),
      enabled,
    };
    if (password) input.password = password;
    await run(() => onSubmit(input), fieldOf);
  };

  return (
    <form className="form trunk-form" onSubmit={submit} noValidate aria-label={trunk ? t('phone.trunks.editTitle') : t('phone.trunks.newTitle')}>
      <ErrorAlert error={formError} />
      <TextField label={t('phone.trunks.name')} value={name} onChange={setName} error={fieldErrors.name} maxLength={100} />
      <div className="form-row">
        <TextField
          label={t('phone.trunks.host')}
          value={host}
          onChange={setHost}
          error={fieldErrors.host}
          hint={t('phone.trunks.hostHint')}
          maxLength={253}
        />
        <TextField label={t('phone.trunks.port')} value={port} onChange={setPort} error={fieldErrors.port} inputMode="numeric" />
        <SelectField
          label={t('phone.trunks.transport')}
          value={transport}
          onChange={(v) => setTransport(v as TrunkTransport)}
          error={fieldErrors.transport}
        >
          <option value="udp">UDP</option>
          <option value="tcp">TCP</option>
        </SelectField>
      </div>
      <SelectField
        label={t('phone.trunks.authMode')}
        value={authMode}
        onChange={(v) => setAuthMode(v as TrunkAuthMode)}
        error={fieldErrors.auth_mode}
        hint={register ? t('phone.trunks.authRegisterHint') : t('phone.trunks.authIpHint')}
      >
        <option value="register">{t('phone.trunks.authRegister')}</option>
        <option value="ip">{t('phone.trunks.authIp')}</option>
      </SelectField>
      {register && (
        <div className="form-row">
          <TextField
            label={t('phone.trunks.username')}
            value={username}
            onChange={setUsername}
            error={fieldErrors.username}
            autoComplete="off"
            maxLength={200}
          />
          <TextField
            label={t('phone.trunks.password')}
            type="password"
            value={password}
            onChange={setPassword}
            error={fieldErrors.password}
            autoComplete="new-password"
            maxLength={200}
            placeholder={trunk?.has_password ? t('phone.trunks.passwordKeep') : ''}
            hint={trunk?.has_password ? t('phone.trunks.passwordSet') : t('phone.trunks.passwordNotSet')}
          />
          <TextField
            label={t('phone.trunks.expires')}
            value={expires}
            onChange={setExpires}
            error={fieldErrors.register_expires}
            inputMode="numeric"
          />
        </div>
      )}
      <div className="form-row">
        <TextField
          label={t('phone.trunks.proxy')}
          value={proxy}
          onChange={setProxy}
          error={fieldErrors.outbound_proxy}
          hint={t('phone.trunks.proxyHint')}
          maxLength={300}
        />
        <TextField
          label={t('phone.trunks.callerId')}
          value={callerId}
          onChange={setCallerId}
          error={fieldErrors.caller_id}
          hint={t('phone.trunks.callerIdHint')}
          type="tel"
          maxLength={32}
        />
      </div>
      <SelectField label={t('phone.trunks.codecs')} value={codecs} onChange={setCodecs} error={fieldErrors.codecs} hint={t('phone.trunks.codecsHint')}>
        {CODEC_CHOICES.map((c) => (
          <option key={c} value={c}>
            {c.replace(',', ', ')}
          </option>
        ))}
      </SelectField>
      <TextAreaField
        label={t('phone.trunks.sources')}
        value={sources}
        onChange={setSources}
        error={fieldErrors.allowed_sources}
        hint={t('phone.trunks.sourcesHint')}
        rows={3}
      />
      <CheckboxField label={t('phone.trunks.enabled')} checked={enabled} onChange={setEnabled} error={fieldErrors.enabled} />
      <FormActions pending={pending} onCancel={onCancel} />
    </form>
  );
}
