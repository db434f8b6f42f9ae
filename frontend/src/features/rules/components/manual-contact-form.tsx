import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/ui/error-alert';
import { SelectField, TextAreaField } from '../../../components/ui/form-field';
import { useToast } from '../../../components/ui/toast';
import { formatDateTimeShort } from '../../../lib/format';
import type { ClientID } from '../../../lib/types';
import { useFormErrors } from '../../../lib/use-form-errors';
import { useResource } from '../../../lib/use-resource';
import { useLiveRefresh } from '../../../stores/realtime-store';
import { addContact, fetchContacts, MANUAL_CONTACT_KINDS, type Contact, type ContactKind } from '../api/rules-api';

const FIELDS = ['kind', 'note', 'at'] as const;
const SHOWN = 5;

/**
 * ClientContacts logs a contact made outside Warmline (a meeting, an
 * e-mail, a message) with a note, and lists the client's latest contacts
 * and attempts. A logged contact counts like a call: it warms the client up.
 */
export function ClientContacts({ clientId, onLogged }: { clientId: ClientID; onLogged?: (c: Contact) => void }) {
  const { t, i18n } = useTranslation();
  const toast = useToast();
  const titleId = useId();
  const contacts = useResource((signal) => fetchContacts(clientId, signal), [clientId]);
  useLiveRefresh(['call.ended'], contacts.refresh, { filter: (m) => m.data.client_id === clientId });
  const [kind, setKind] = useState<ContactKind>('meeting');
  const [note, setNote] = useState('');
  const [pending, setPending] = useState(false);
  const { fieldErrors, formError, clear, fromError } = useFormErrors(FIELDS);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    clear();
    setPending(true);
    try {
      const c = await addContact(clientId, { kind, note: note.trim() });
      contacts.setData((old) => [c, ...(old ?? [])]);
      setNote('');
      toast.show(t('rulesEngine.contacts.logged'), 'success');
      onLogged?.(c);
    } catch (err) {
      fromError(err);
    } finally {
      setPending(false);
    }
  };

  const latest = (contacts.data ?? []).slice(0, SHOWN);
  return (
    <section className="panel" aria-labelledby={titleId}>
      <h2 id={titleId} className="panel__title">
        {t('rulesEngine.contacts.title')}
      </h2>
      <form className="form" onSubmit={submit} noValidate aria-label={t('rulesEngine.contacts.formLabel')}>
        <ErrorAlert error={formError} />
        <SelectField label={t('rulesEngine.contacts.kind')} value={kind} onChange={(v) => setKind(v as ContactKind)} error={fieldErrors.kind}>
          {MANUAL_CONTACT_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`rulesEngine.contacts.kinds.${k}`)}
            </option>
          ))}
        </SelectField>
        <TextAreaField label={t('rulesEngine.contacts.note')} value={note} onChange={setNote} maxLength={2000} rows={2} error={fieldErrors.note ?? fieldErrors.at} />
        <div className="form-actions">
          <button type="submit" className="btn btn--secondary" disabled={pending}>
            {t('rulesEngine.contacts.log')}
          </button>
        </div>
      </form>
      {latest.length > 0 && (
        <ul className="history" aria-label={t('rulesEngine.contacts.latest')}>
          {latest.map((c) => (
            <li key={c.id} className="history__item">
              <span>
                {t(`rulesEngine.contacts.kinds.${c.kind}`)}
                {c.counted === 'attempt' && <span className="muted"> · {t('rulesEngine.contacts.attempt')}</span>}
              </span>
              <span className="history__meta muted small">
                {formatDateTimeShort(c.at, i18n.language)}
                {c.user_name && ` · ${c.user_name}`}
              </span>
              {c.note && <span className="history__reason">{c.note}</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
