import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { errorDetail } from '../../../components/ui/error-alert';
import { useToast } from '../../../components/ui/toast';
import { formatPhone } from '../../../lib/format';
import type { PhoneCall } from '../../../lib/phone-client';
import type { UserID } from '../../../lib/types';
import { formatCallDuration } from '../../calls/format';
import { useNow } from '../../wallboard/hooks/use-now';
import { useSoftphone } from '../softphone-provider';
import { TransferForm } from './transfer-form';

/** otherParty is the number on the far side of a call. */
export function otherParty(call: PhoneCall): string {
  return call.direction === 'inbound' ? call.from : call.to;
}

interface ActiveCallProps {
  call: PhoneCall;
  myId: UserID | null;
}

/**
 * ActiveCall is the softphone's current call: who, its state and timer,
 * and hang up, hold/resume, mute and transfer.
 */
export function ActiveCall({ call, myId }: ActiveCallProps) {
  const { t } = useTranslation();
  const toast = useToast();
  const softphone = useSoftphone();
  const [transferring, setTransferring] = useState(false);
  const live = call.state !== 'ended';
  useNow(live ? 1000 : 60_000);
  if (!softphone) return null;
  const { phone, snapshot, startedAt } = softphone;
  const started = startedAt(call.id);
  const talking = call.state === 'active' || call.state === 'early';

  const run = (action: () => Promise<unknown>) => {
    action().catch((err: unknown) => toast.show(`${t('phone.commandFailed')} ${errorDetail(err)}`.trim(), 'error'));
  };

  const who = call.client_name || formatPhone(otherParty(call)) || t('phone.unknownCaller');
  const stateText =
    call.state === 'ended'
      ? t(`phone.endReason.${call.end_reason || 'hangup'}`, { defaultValue: t('phone.callState.ended') })
      : call.held
        ? t('phone.callState.held')
        : t(`phone.callState.${call.state}`);

  return (
    <section
      className={`active-call active-call--${call.state}${call.held ? ' active-call--held' : ''}`}
      data-testid="active-call"
      data-call-state={call.state}
      data-call-id={call.id}
      data-held={call.held ? 'true' : 'false'}
      aria-label={t('phone.currentCall')}
    >
      <div className="active-call__who">
        <span className="active-call__direction" aria-hidden="true">
          {call.direction === 'inbound' ? '↙' : '↗'}
        </span>
        <span className="active-call__name">
          {call.client_id ? <Link to={`/clients/${call.client_id}`}>{who}</Link> : who}
        </span>
        {call.client_name && <span className="active-call__number">{formatPhone(otherParty(call))}</span>}
      </div>
      <div className="active-call__status" role="status">
        <span>{stateText}</span>
        {call.state === 'ended' && call.hangup_side && (
          <span className="muted"> · {t(`phone.hangupSide.${call.hangup_side}`)}</span>
        )}
        <span className="active-call__timer" data-testid="call-timer">
          {started !== null && (talking || call.state === 'ended') ? formatCallDuration(Date.now() - started) : ''}
        </span>
      </div>
      {live && (
        <div className="active-call__controls">
          <button
            type="button"
            className="btn btn--secondary btn--small"
            data-testid="call-mute"
            aria-pressed={snapshot.muted}
            disabled={!talking}
            onClick={() => phone.setMuted(!snapshot.muted)}
          >
            {snapshot.muted ? t('phone.unmute') : t('phone.mute')}
          </button>
          <button
            type="button"
            className="btn btn--secondary btn--small"
            data-testid="call-hold"
            aria-pressed={call.held}
            disabled={call.state !== 'active'}
            onClick={() => run(() => phone.hold(call.id, !call.held))}
          >
            {call.held ? t('phone.resume') : t('phone.hold')}
          </button>
          <button
            type="button"
            className="btn btn--secondary btn--small"
            data-testid="call-transfer"
            aria-expanded={transferring}
            disabled={call.state !== 'active'}
            onClick={() => setTransferring((v) => !v)}
          >
            {t('phone.transfer.button')}
          </button>
          <button
            type="button"
            className="btn btn--danger btn--small"
            data-testid="call-hangup"
            onClick={() => run(() => (call.state === 'ringing' ? phone.decline(call.id) : phone.hangup(call.id)))}
          >
            {t('phone.hangup')}
          </button>
        </div>
      )}
      {live && transferring && call.state === 'active' && (
        <TransferForm
          myId={myId}
          onCancel={() => setTransferring(false)}
          onTransfer={async (target) => {
            try {
              await phone.transfer(call.id, target);
              setTransferring(false);
              toast.show(t('phone.transfer.done'), 'success');
            } catch (err) {
              toast.show(`${t('phone.commandFailed')} ${errorDetail(err)}`.trim(), 'error');
            }
          }}
        />
      )}
    </section>
  );
}
