import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { isAbortError } from '../../../lib/api-client';
import type { Presence, UserID } from '../../../lib/types';
import { fetchPresence } from '../../presence/api/presence-api';

interface TransferFormProps {
  myId: UserID | null;
  onTransfer: (target: { to: string } | { agent_id: UserID }) => Promise<void>;
  onCancel: () => void;
}

/** TransferForm hands the call on, blind: to a phone number or to another agent (available ones first). */
export function TransferForm({ myId, onTransfer, onCancel }: TransferFormProps) {
  const { t } = useTranslation();
  const id = useId();
  const [mode, setMode] = useState<'agent' | 'number'>('agent');
  const [number, setNumber] = useState('');
  const [agentId, setAgentId] = useState('');
  const [agents, setAgents] = useState<Presence[] | null>(null);
  const [pending, setPending] = useState(false);

  useEffect(() => {
    const ctrl = new AbortController();
    fetchPresence(ctrl.signal)
      .then((list) => {
        const others = list.filter((p) => p.user_id !== myId);
        others.sort((a, b) => Number(b.state === 'available') - Number(a.state === 'available') || a.name.localeCompare(b.name));
        setAgents(others);
      })
      .catch((err: unknown) => {
        if (!isAbortError(err)) setAgents([]);
      });
    return () => ctrl.abort();
  }, [myId]);

  const target = mode === 'number' ? (number.trim() ? { to: number.trim() } : null) : agentId ? { agent_id: Number(agentId) } : null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!target) return;
    setPending(true);
    try {
      await onTransfer(target);
    } finally {
      setPending(false);
    }
  };

  return (
    <form className="transfer" onSubmit={submit} aria-label={t('phone.transfer.title')}>
      <fieldset className="transfer__modes">
        <legend className="visually-hidden">{t('phone.transfer.to')}</legend>
        <label>
          <input type="radio" name={`${id}-mode`} checked={mode === 'agent'} onChange={() => setMode('agent')} /> {t('phone.transfer.toAgent')}
        </label>
        <label>
          <input type="radio" name={`${id}-mode`} checked={mode === 'number'} onChange={() => setMode('number')} /> {t('phone.transfer.toNumber')}
        </label>
      </fieldset>
      {mode === 'agent' ? (
        <>
          <label htmlFor={`${id}-agent`} className="visually-hidden">
            {t('phone.transfer.agent')}
          </label>
          <select id={`${id}-agent`} className="input select input--small" value={agentId} onChange={(e) => setAgentId(e.target.value)}>
            <option value="">{agents === null ? t('common.loading') : t('phone.transfer.pickAgent')}</option>
            {agents?.map((a) => (
              <option key={a.user_id} value={a.user_id}>
                {a.name} — {t(`presence.states.${a.state}`)}
              </option>
            ))}
          </select>
        </>
      ) : (
        <>
          <label htmlFor={`${id}-number`} className="visually-hidden">
            {t('phone.transfer.number')}
          </label>
          <input
            id={`${id}-number`}
            className="input input--small"
            type="tel"
            placeholder={t('phone.transfer.number')}
            value={number}
            onChange={(e) => setNumber(e.target.value)}
          />
        </>
      )}
      <div className="transfer__actions">
        <button type="submit" className="btn btn--primary btn--small" disabled={!target || pending}>
          {t('phone.transfer.submit')}
        </button>
        <button type="button" className="btn btn--ghost btn--small" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
