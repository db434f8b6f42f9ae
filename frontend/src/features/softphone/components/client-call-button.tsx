import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorDetail } from '../../../components/ui/error-alert';
import { useToast } from '../../../components/ui/toast';
import { formatPhone } from '../../../lib/format';
import type { Client } from '../../../lib/types';
import { formatCallDuration } from '../../calls/format';
import { startCall } from '../../calls/api/calls-api';
import { useNow } from '../../wallboard/hooks/use-now';
import { useSoftphone } from '../softphone-provider';
import { otherParty } from './active-call';

/**
 * ClientCallButton is click-to-call on a client card: the agent's
 * softphone rings first (it is turned on when off), then the client's main
 * number. Without a phone number there is nothing to call.
 */
export function ClientCallButton({ client }: { client: Client }) {
  const { t } = useTranslation();
  const toast = useToast();
  const softphone = useSoftphone();
  const [pending, setPending] = useState(false);
  const phone = client.phones[0] ?? '';
  const busy = softphone?.snapshot.calls.some((c) => c.state !== 'ended') ?? false;

  const call = async () => {
    setPending(true);
    try {
      if (softphone) await softphone.call(phone, client.id);
      else await startCall({ client_id: client.id });
    } catch (err) {
      toast.show(`${t('phone.callFailed')} ${errorDetail(err)}`.trim(), 'error');
    } finally {
      setPending(false);
    }
  };

  return (
    <button
      type="button"
      className="btn btn--call"
      data-testid="client-call-button"
      disabled={!phone || pending || busy}
      title={!phone ? t('phone.noNumber') : busy ? t('phone.busy') : t('phone.callNumber', { number: formatPhone(phone) })}
      onClick={() => void call()}
    >
      <svg aria-hidden="true" focusable="false" width="16" height="16" viewBox="0 0 24 24" fill="currentColor">
        <path d="M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.46.57 3.6a1 1 0 0 1-.25 1z" />
      </svg>
      {pending ? t('phone.calling') : t('client.call')}
    </button>
  );
}

/** ClientLiveCall shows this softphone's call with the client, while there is one: its state and timer. */
export function ClientLiveCall({ client }: { client: Client }) {
  const { t } = useTranslation();
  const softphone = useSoftphone();
  const call = softphone?.snapshot.calls.find(
    (c) => c.state !== 'ended' && (c.client_id === client.id || (c.client_id === null && client.phones.includes(otherParty(c)))),
  );
  useNow(call ? 1000 : 60_000);
  if (!softphone || !call) return null;
  const started = softphone.startedAt(call.id);
  return (
    <div className="client-live-call" role="status" data-testid="client-live-call" data-call-state={call.state}>
      <span aria-hidden="true">{call.direction === 'inbound' ? '↙' : '↗'}</span>
      <span>{call.held ? t('phone.callState.held') : t(`phone.callState.${call.state}`)}</span>
      {started !== null && <span className="client-live-call__timer">{formatCallDuration(Date.now() - started)}</span>}
    </div>
  );
}
