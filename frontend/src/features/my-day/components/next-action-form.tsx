import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/ui/error-alert';
import { fromLocalInput, toLocalInput } from '../../../lib/local-datetime';
import type { Client } from '../../../lib/types';
import { setNextAction } from '../../rules/api/rules-api';

interface NextActionFormProps {
  client: Client;
  onSaved: (client: Client) => void;
  onCancel?: () => void;
  autoFocus?: boolean;
}

/**
 * NextActionForm sets when the agent means to act on a client next (a
 * callback falls due then), or clears it.
 */
export function NextActionForm({ client, onSaved, onCancel, autoFocus }: NextActionFormProps) {
  const { t } = useTranslation();
  const id = useId();
  const [value, setValue] = useState(() => toLocalInput(client.next_action_at));
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [invalid, setInvalid] = useState(false);

  const save = async (at: string | null) => {
    setPending(true);
    setError(null);
    try {
      onSaved(await setNextAction(client.id, at));
    } catch (err) {
      setError(err);
    } finally {
      setPending(false);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const at = fromLocalInput(value);
    setInvalid(at === null);
    if (at !== null) void save(at);
  };

  return (
    <form className="next-action-form" onSubmit={submit} noValidate>
      <label htmlFor={id} className="field__label">
        {t('rulesEngine.nextAction.label')}
      </label>
      <div className="next-action-form__row">
        <input
          id={id}
          className="input"
          type="datetime-local"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          aria-invalid={invalid || undefined}
          autoFocus={autoFocus}
        />
        <button type="submit" className="btn btn--primary btn--small" disabled={pending}>
          {t('common.save')}
        </button>
        {client.next_action_at && (
          <button type="button" className="btn btn--ghost btn--small" disabled={pending} onClick={() => void save(null)}>
            {t('rulesEngine.nextAction.clear')}
          </button>
        )}
        {onCancel && (
          <button type="button" className="btn btn--ghost btn--small" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        )}
      </div>
      {invalid && (
        <p className="field__error" role="alert">
          {t('rulesEngine.nextAction.invalid')}
        </p>
      )}
      <ErrorAlert error={error} />
    </form>
  );
}
