import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/ui/error-alert';
import { SelectField, TextField } from '../../../components/ui/form-field';
import type { Client, Stage } from '../../../lib/types';
import { moveClient } from '../api/clients-api';

interface StageMoveFormProps {
  client: Client;
  stages: Stage[];
  onMoved: (client: Client) => void;
}

/** StageMoveForm moves the client to another funnel stage, with an optional reason. */
export function StageMoveForm({ client, stages, onMoved }: StageMoveFormProps) {
  const { t } = useTranslation();
  const titleId = useId();
  const [stageId, setStageId] = useState(String(client.stage_id));
  const [reason, setReason] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => setStageId(String(client.stage_id)), [client.stage_id]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (Number(stageId) === client.stage_id) return;
    setPending(true);
    setError(null);
    try {
      const moved = await moveClient(client.id, Number(stageId), reason.trim() || undefined);
      setReason('');
      onMoved(moved);
    } catch (err) {
      setError(err);
    } finally {
      setPending(false);
    }
  };

  return (
    <section className="panel" aria-labelledby={titleId}>
      <h2 id={titleId} className="panel__title">
        {t('client.move.title')}
      </h2>
      <form className="form" onSubmit={submit}>
        <SelectField label={t('client.move.stage')} value={stageId} onChange={setStageId}>
          {stages.map((s) => (
            <option key={s.id} value={String(s.id)}>
              {s.id === client.stage_id ? t('client.move.current', { name: s.name }) : s.name}
            </option>
          ))}
        </SelectField>
        <TextField
          label={t('client.move.reason')}
          value={reason}
          onChange={setReason}
          placeholder={t('client.move.reasonPlaceholder')}
          maxLength={500}
        />
        <ErrorAlert error={error} />
        <div className="form-actions">
          <button type="submit" className="btn btn--primary" disabled={pending || Number(stageId) === client.stage_id}>
            {pending ? t('client.move.moving') : t('client.move.submit')}
          </button>
        </div>
      </form>
    </section>
  );
}
