import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/ui/error-alert';
import { FormActions } from '../../../components/ui/form-actions';
import { Field, SelectField, TextAreaField, TextField } from '../../../components/ui/form-field';
import { formatPhone } from '../../../lib/format';
import type { Channel, Client, ClientInput, Stage, User, UserID } from '../../../lib/types';
import { useFormErrors } from '../../../lib/use-form-errors';

const FIELDS = ['name', 'company', 'phones', 'email', 'channel', 'owner_id', 'stage_id', 'notes'] as const;

interface ClientFormProps {
  /** The client to edit; absent to create one. */
  client?: Client;
  stages: Stage[];
  users: User[];
  channels: Channel[];
  /** The owner a new client gets unless the user picks another. */
  defaultOwnerId?: UserID;
  onSubmit: (input: ClientInput) => Promise<void>;
  onCancel: () => void;
  submitLabel: string;
}

/** ClientForm creates or edits a client's details; phones may be typed in any format. */
export function ClientForm({ client, stages, users, channels, defaultOwnerId, onSubmit, onCancel, submitLabel }: ClientFormProps) {
  const { t } = useTranslation();
  const creating = !client;
  const channelListId = useId();
  const [name, setName] = useState(client?.name ?? '');
  const [company, setCompany] = useState(client?.company ?? '');
  const [phones, setPhones] = useState<string[]>(client && client.phones.length > 0 ? client.phones.map(formatPhone) : ['']);
  const [email, setEmail] = useState(client?.email ?? '');
  const [channel, setChannel] = useState(client?.channel ?? '');
  const [ownerId, setOwnerId] = useState(
    client ? String(client.owner_id ?? '') : defaultOwnerId !== undefined ? String(defaultOwnerId) : '',
  );
  const openStages = stages.filter((s) => s.kind === 'open');
  const [stageId, setStageId] = useState(String(openStages[0]?.id ?? stages[0]?.id ?? ''));
  const [notes, setNotes] = useState(client?.notes ?? '');
  const { fieldErrors, setFieldErrors, formError, clear, pending, run } = useFormErrors(FIELDS);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    clear();
    if (!name.trim()) {
      setFieldErrors({ name: t('validation.required') });
      return;
    }
    const input: ClientInput = {
      name: name.trim(),
      company: company.trim(),
      phones: phones.map((p) => p.trim()).filter(Boolean),
      email: email.trim(),
      channel: channel.trim(),
    };
    if (ownerId) input.owner_id = Number(ownerId);
    else if (!creating) input.owner_id = 0;
    if (creating) {
      if (stageId) input.stage_id = Number(stageId);
      if (notes.trim()) input.notes = notes;
    }
    await run(() => onSubmit(input));
  };

  const activeUsers = users.filter((u) => u.active || String(u.id) === ownerId);

  return (
    <form className="form client-form" onSubmit={submit} noValidate>
      <ErrorAlert error={formError} />
      <div className="form-grid">
        <TextField label={t('client.fields.name')} value={name} onChange={setName} error={fieldErrors.name} required autoFocus />
        <TextField label={t('client.fields.company')} value={company} onChange={setCompany} error={fieldErrors.company} />
      </div>
      <fieldset className="fieldset">
        <legend className="field__label">{t('client.fields.phones')}</legend>
        {phones.map((phone, i) => (
          <div className="phone-row" key={i}>
            <Field label={t('client.fields.phoneN', { n: i + 1 })} hideLabel className="phone-row__field">
              {(control) => (
                <input
                  {...control}
                  className="input"
                  type="tel"
                  inputMode="tel"
                  autoComplete="off"
                  placeholder={t('client.phonePlaceholder')}
                  value={phone}
                  aria-invalid={fieldErrors.phones ? true : undefined}
                  onChange={(e) => setPhones((ps) => ps.map((p, j) => (j === i ? e.target.value : p)))}
                />
              )}
            </Field>
            {phones.length > 1 && (
              <button
                type="button"
                className="btn btn--ghost btn--small"
                onClick={() => setPhones((ps) => ps.filter((_, j) => j !== i))}
                aria-label={t('client.removePhone', { n: i + 1 })}
              >
                {t('common.remove')}
              </button>
            )}
          </div>
        ))}
        <button type="button" className="btn btn--ghost btn--small" onClick={() => setPhones((ps) => [...ps, ''])}>
          {t('client.addPhone')}
        </button>
        {fieldErrors.phones && (
          <p className="field__error" role="alert">
            {fieldErrors.phones}
          </p>
        )}
      </fieldset>
      <div className="form-grid">
        <TextField label={t('client.fields.email')} type="email" value={email} onChange={setEmail} error={fieldErrors.email} />
        <TextField
          label={t('client.fields.channel')}
          value={channel}
          onChange={setChannel}
          error={fieldErrors.channel}
          list={channelListId}
          hint={t('client.channelHint')}
        />
        <datalist id={channelListId}>
          {channels.map((c) => (
            <option key={c.name} value={c.name} />
          ))}
        </datalist>
        <SelectField label={t('client.fields.owner')} value={ownerId} onChange={setOwnerId} error={fieldErrors.owner_id}>
          <option value="">{t('clients.noOwner')}</option>
          {activeUsers.map((u) => (
            <option key={u.id} value={String(u.id)}>
              {u.name}
            </option>
          ))}
        </SelectField>
        {creating && (
          <SelectField label={t('client.fields.stage')} value={stageId} onChange={setStageId} error={fieldErrors.stage_id}>
            {stages.map((s) => (
              <option key={s.id} value={String(s.id)}>
                {s.name}
              </option>
            ))}
          </SelectField>
        )}
      </div>
      {creating && (
        <TextAreaField label={t('client.fields.notes')} value={notes} onChange={setNotes} error={fieldErrors.notes} rows={3} />
      )}
      <FormActions pending={pending} submitLabel={submitLabel} onCancel={onCancel} />
    </form>
  );
}
