import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { errorDetail } from '../../../components/ui/error-alert';
import { useToast } from '../../../components/ui/toast';
import { isAbortError } from '../../../lib/api-client';
import { formatDateTimeShort, formatPhone } from '../../../lib/format';
import type { PhoneCall } from '../../../lib/phone-client';
import type { Client, Stage, User } from '../../../lib/types';
import { createClient, fetchClient } from '../../clients/api/clients-api';
import { fetchStages } from '../../stages/api/stages-api';
import { fetchUsers } from '../../users/api/users-api';
import { useSoftphone } from '../softphone-provider';
import { otherParty } from './active-call';

interface CallerCard {
  client: Client;
  stage: Stage | undefined;
  owner: User | undefined;
}

/** loadCaller reads the caller's client with the names of its stage and owner (those may fail alone). */
async function loadCaller(id: number, signal: AbortSignal): Promise<CallerCard> {
  const [client, stages, users] = await Promise.all([
    fetchClient(id, signal),
    fetchStages(signal).catch(() => [] as Stage[]),
    fetchUsers(signal).catch(() => [] as User[]),
  ]);
  return {
    client,
    stage: stages.find((s) => s.id === client.stage_id),
    owner: users.find((u) => u.id === client.owner_id),
  };
}

const NOTES_EXCERPT = 160;

interface IncomingCallProps {
  call: PhoneCall;
  /** How many other calls ring at the same time (shown, not popped up). */
  others: number;
}

/**
 * IncomingCall is the pop-up of a call ringing on this softphone: the
 * caller's client card (or "unknown caller" with a way to create the
 * client), Answer and Decline. A click-to-call rings here first too.
 */
export function IncomingCall({ call, others }: IncomingCallProps) {
  const { t, i18n } = useTranslation();
  const toast = useToast();
  const softphone = useSoftphone();
  const titleId = useId();
  const [card, setCard] = useState<CallerCard | null>(null);
  const [pending, setPending] = useState(false);
  const clientId = call.client_id;

  useEffect(() => {
    if (!clientId) return;
    const ctrl = new AbortController();
    loadCaller(clientId, ctrl.signal)
      .then(setCard)
      .catch((err: unknown) => {
        // The name from the call is still shown; the card's details are a bonus.
        if (!isAbortError(err)) console.warn('softphone: cannot read the caller', err);
      });
    return () => ctrl.abort();
  }, [clientId]);

  if (!softphone) return null;
  const { phone } = softphone;
  const number = otherParty(call);
  const outbound = call.direction === 'outbound';
  const name = card?.client.name || call.client_name;

  const act = async (action: () => Promise<unknown>) => {
    setPending(true);
    try {
      await action();
    } catch (err) {
      toast.show(`${t('phone.commandFailed')} ${errorDetail(err)}`.trim(), 'error');
    } finally {
      setPending(false);
    }
  };

  return (
    <section
      className="incoming-call"
      data-testid="incoming-call"
      data-call-id={call.id}
      role="alertdialog"
      aria-labelledby={titleId}
      aria-live="assertive"
    >
      <p id={titleId} className="incoming-call__title">
        {outbound ? t('phone.incoming.clickToCall') : t('phone.incoming.title')}
        {others > 0 && <span className="incoming-call__more"> · {t('phone.incoming.more', { count: others })}</span>}
      </p>
      <div className="incoming-call__caller">
        <strong className="incoming-call__name" data-testid="incoming-client-name">
          {name || t('phone.unknownCaller')}
        </strong>
        <span className="incoming-call__number">{formatPhone(number)}</span>
      </div>
      {card && (
        <dl className="incoming-call__card">
          {card.client.company && (
            <>
              <dt>{t('phone.incoming.company')}</dt>
              <dd>{card.client.company}</dd>
            </>
          )}
          {card.stage && (
            <>
              <dt>{t('phone.incoming.stage')}</dt>
              <dd>
                <span className={`stage-pill stage-pill--${card.stage.kind}`}>{card.stage.name}</span>
              </dd>
            </>
          )}
          <dt>{t('phone.incoming.owner')}</dt>
          <dd>{card.owner?.name ?? t('common.none')}</dd>
          <dt>{t('phone.incoming.lastContact')}</dt>
          <dd>{formatDateTimeShort(card.client.last_contact_at, i18n.language) || t('phone.incoming.never')}</dd>
          {card.client.notes && (
            <>
              <dt>{t('phone.incoming.notes')}</dt>
              <dd className="incoming-call__notes">
                {card.client.notes.length > NOTES_EXCERPT ? `${card.client.notes.slice(0, NOTES_EXCERPT)}…` : card.client.notes}
              </dd>
            </>
          )}
        </dl>
      )}
      {clientId ? (
        <Link className="incoming-call__link" to={`/clients/${clientId}`}>
          {t('phone.incoming.openCard')}
        </Link>
      ) : (
        !outbound && number && <CreateCallerClient number={number} />
      )}
      <div className="incoming-call__actions">
        <button
          type="button"
          className="btn btn--call"
          data-testid="incoming-answer"
          disabled={pending}
          onClick={() => void act(() => phone.answer(call.id))}
          autoFocus
        >
          {t('phone.answer')}
        </button>
        <button
          type="button"
          className="btn btn--danger"
          data-testid="incoming-decline"
          disabled={pending}
          onClick={() => void act(() => phone.decline(call.id))}
        >
          {outbound ? t('phone.cancel') : t('phone.decline')}
        </button>
      </div>
    </section>
  );
}

/** CreateCallerClient makes a client of an unknown caller, with the number filled in, and opens the card. */
function CreateCallerClient({ number }: { number: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const toast = useToast();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [pending, setPending] = useState(false);

  if (!open) {
    return (
      <button type="button" className="btn btn--secondary btn--small" onClick={() => setOpen(true)}>
        {t('phone.incoming.createClient')}
      </button>
    );
  }
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return;
    setPending(true);
    try {
      const client = await createClient({ name: name.trim(), phones: [number] });
      toast.show(t('clients.created', { name: client.name }), 'success');
      navigate(`/clients/${client.id}`);
    } catch (err) {
      toast.show(`${t('phone.incoming.createFailed')} ${errorDetail(err)}`.trim(), 'error');
    } finally {
      setPending(false);
    }
  };
  return (
    <form className="incoming-call__create" onSubmit={submit}>
      <label htmlFor={id}>{t('phone.incoming.newClientName')}</label>
      <div className="incoming-call__create-row">
        <input id={id} className="input input--small" value={name} onChange={(e) => setName(e.target.value)} autoFocus maxLength={200} />
        <button type="submit" className="btn btn--primary btn--small" disabled={pending || !name.trim()}>
          {t('phone.incoming.create')}
        </button>
      </div>
      <p className="field__hint">{t('phone.incoming.withNumber', { number: formatPhone(number) })}</p>
    </form>
  );
}
