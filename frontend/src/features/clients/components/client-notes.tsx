import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/ui/error-alert';
import type { Client } from '../../../lib/types';
import { updateClient } from '../api/clients-api';

interface ClientNotesProps {
  client: Client;
  onSaved: (client: Client) => void;
}

/** ClientNotes is the client's free-text notes with a save button. */
export function ClientNotes({ client, onSaved }: ClientNotesProps) {
  const { t } = useTranslation();
  const id = useId();
  const [text, setText] = useState(client.notes);
  const [saved, setSaved] = useState(client.notes);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [justSaved, setJustSaved] = useState(false);

  useEffect(() => {
    setText(client.notes);
    setSaved(client.notes);
  }, [client.id, client.notes]);

  const dirty = text !== saved;

  const save = async () => {
    setPending(true);
    setError(null);
    try {
      const updated = await updateClient(client.id, { notes: text });
      setSaved(updated.notes);
      setJustSaved(true);
      onSaved(updated);
    } catch (err) {
      setError(err);
    } finally {
      setPending(false);
    }
  };

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="panel__title">
        {t('client.notes')}
      </h2>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <label htmlFor={id} className="visually-hidden">
          {t('client.notes')}
        </label>
        <textarea
          id={id}
          className="input textarea notes-textarea"
          rows={6}
          value={text}
          placeholder={t('client.notesPlaceholder')}
          onChange={(e) => {
            setText(e.target.value);
            setJustSaved(false);
          }}
        />
        <ErrorAlert error={error} />
        <div className="form-actions">
          <button type="submit" className="btn btn--secondary" disabled={!dirty || pending}>
            {pending ? t('common.saving') : t('client.saveNotes')}
          </button>
          <span className="muted small" role="status">
            {justSaved && !dirty ? t('common.saved') : dirty ? t('client.notesUnsaved') : ''}
          </span>
        </div>
      </form>
    </section>
  );
}
