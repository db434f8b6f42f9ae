import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/ui/error-alert';
import { FormActions } from '../../../components/ui/form-actions';
import { CheckboxField, TextField } from '../../../components/ui/form-field';
import { EVENT_TYPES, type EventType } from '../../../lib/events';
import { useFormErrors } from '../../../lib/use-form-errors';
import type { Webhook, WebhookInput } from '../api/webhooks-api';

const FIELDS = ['url', 'description', 'event_types', 'enabled'] as const;

interface WebhookFormProps {
  webhook?: Webhook;
  onSubmit: (input: WebhookInput) => Promise<void>;
  onCancel: () => void;
}

/**
 * WebhookForm edits an endpoint: its URL, a description, the event types it
 * receives (none ticked: all) and whether it is on. The secret is not here:
 * the server makes it and shows it once, after creation.
 */
export function WebhookForm({ webhook, onSubmit, onCancel }: WebhookFormProps) {
  const { t } = useTranslation();
  const eventsId = useId();
  const [url, setUrl] = useState(webhook?.url ?? '');
  const [description, setDescription] = useState(webhook?.description ?? '');
  const [types, setTypes] = useState<ReadonlySet<EventType>>(new Set(webhook?.event_types ?? []));
  const [enabled, setEnabled] = useState(webhook?.enabled ?? true);
  const { fieldErrors, setFieldErrors, formError, clear, pending, run } = useFormErrors(FIELDS);

  const toggle = (type: EventType, on: boolean) =>
    setTypes((old) => {
      const next = new Set(old);
      if (on) next.add(type);
      else next.delete(type);
      return next;
    });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    clear();
    const u = url.trim();
    if (!u) {
      setFieldErrors({ url: t('integrations.webhooks.urlRequired') });
      return;
    }
    if (!/^https?:\/\//i.test(u)) {
      setFieldErrors({ url: t('integrations.webhooks.urlScheme') });
      return;
    }
    await run(() =>
      onSubmit({
        url: u,
        description: description.trim(),
        // In the list's order, so the request does not depend on click order.
        event_types: EVENT_TYPES.filter((type) => types.has(type)),
        enabled,
      }),
    );
  };

  const title = webhook ? t('integrations.webhooks.editTitle') : t('integrations.webhooks.newTitle');
  return (
    <form className="form" onSubmit={submit} noValidate aria-label={title}>
      <ErrorAlert error={formError} />
      <TextField
        label={t('integrations.webhooks.url')}
        value={url}
        onChange={setUrl}
        error={fieldErrors.url}
        hint={t('integrations.webhooks.urlHint')}
        type="url"
        inputMode="url"
        maxLength={2000}
        placeholder="https://"
      />
      <TextField
        label={t('integrations.webhooks.description')}
        value={description}
        onChange={setDescription}
        error={fieldErrors.description}
        hint={t('integrations.webhooks.descriptionHint')}
        maxLength={200}
      />
      <fieldset
        className={fieldErrors.event_types ? 'fieldset field--invalid' : 'fieldset'}
        aria-describedby={`${eventsId}-hint${fieldErrors.event_types ? ` ${eventsId}-error` : ''}`}
      >
        <legend className="field__label">{t('integrations.webhooks.events')}</legend>
        <p id={`${eventsId}-hint`} className="field__hint">
          {types.size === 0 ? `${t('integrations.webhooks.allEvents')}. ` : ''}
          {t('integrations.webhooks.eventsHint')}
        </p>
        <div className="webhook-events">
          {EVENT_TYPES.map((type) => (
            <label key={type} className="checkbox">
              <input type="checkbox" checked={types.has(type)} onChange={(e) => toggle(type, e.target.checked)} />
              <span className="mono">{type}</span>
            </label>
          ))}
        </div>
        {fieldErrors.event_types && (
          <p id={`${eventsId}-error`} className="field__error" role="alert">
            {fieldErrors.event_types}
          </p>
        )}
      </fieldset>
      <CheckboxField label={t('integrations.webhooks.enabled')} checked={enabled} onChange={setEnabled} error={fieldErrors.enabled} />
      <FormActions pending={pending} onCancel={onCancel} />
    </form>
  );
}
