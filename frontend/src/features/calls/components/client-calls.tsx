import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/ui/error-alert';
import { Loading } from '../../../components/ui/loading';
import { formatDateTimeShort, formatPhone } from '../../../lib/format';
import type { Call, ClientID } from '../../../lib/types';
import { useResource } from '../../../lib/use-resource';
import { useLiveRefresh } from '../../../stores/realtime-store';
import { useNow } from '../../wallboard/hooks/use-now';
import { fetchCalls } from '../api/calls-api';
import { formatCallDuration } from '../format';
import '../calls.css';

const CALL_EVENTS = ['call.ringing', 'call.answered', 'call.held', 'call.ended', 'call.missed'] as const;
const HISTORY_LIMIT = 50;

/** useClientCalls is a client's calls, newest first, kept live by the call events of that client. */
export function useClientCalls(clientId: ClientID) {
  const calls = useResource((signal) => fetchCalls({ client_id: clientId, limit: HISTORY_LIMIT }, signal), [clientId]);
  useLiveRefresh(CALL_EVENTS, calls.refresh, { filter: (m) => m.data.client_id === clientId });
  return calls;
}

/** callLength is how long the two talked, null when they did not. */
function callLength(c: Call, now: number): number | null {
  if (!c.answered_at) return null;
  const end = c.ended_at ? Date.parse(c.ended_at) : now;
  return end - Date.parse(c.answered_at);
}

/**
 * ClientCalls is the call history of a client card: direction, when, who,
 * how long and how it ended; a live call counts up.
 */
export function ClientCalls({ clientId }: { clientId: ClientID }) {
  const { t, i18n } = useTranslation();
  const calls = useClientCalls(clientId);
  const items = calls.data ?? [];
  const anyLive = items.some((c) => c.status !== 'ended');
  const now = useNow(anyLive ? 1000 : 60_000);

  return (
    <section className="panel" aria-labelledby="client-calls-title" data-testid="client-calls">
      <h2 id="client-calls-title" className="panel__title">
        {t('phone.history.title')}
      </h2>
      {calls.error && !calls.data ? <ErrorAlert error={calls.error} /> : null}
      {!calls.data && calls.loading && <Loading />}
      {calls.data && items.length === 0 && <p className="muted">{t('phone.history.empty')}</p>}
      {items.length > 0 && (
        <ul className="call-list">
          {items.map((c) => {
            const length = callLength(c, now);
            const missed = c.outcome === 'missed' || (c.status === 'ended' && !c.answered_at);
            return (
              <li key={c.id} className="call-list__row" data-testid="client-call-row" data-call-id={c.id} data-status={c.status}>
                <span
                  className={`call-list__dir${missed ? ' call-list__dir--missed' : ''}`}
                  title={t(`phone.direction.${c.direction}`)}
                  aria-label={t(`phone.direction.${c.direction}`)}
                >
                  {c.direction === 'inbound' ? '↙' : '↗'}
                </span>
                <span>
                  {formatDateTimeShort(c.created_at, i18n.language)}
                  {c.agent_name && <span className="muted"> · {c.agent_name}</span>}
                </span>
                <span className="call-list__duration">{length !== null ? formatCallDuration(length) : ''}</span>
                <span className="call-list__meta">
                  {c.status !== 'ended' ? (
                    <span className="call-list__live">{t(`phone.history.status.${c.status}`)}</span>
                  ) : (
                    <>
                      {t(`phone.outcome.${c.outcome ?? 'failed'}`)}
                      {c.missed_reason && ` (${t(`phone.missedReason.${c.missed_reason}`)})`}
                      {c.hangup_side && ` · ${t(`phone.hangupSide.${c.hangup_side}`)}`}
                    </>
                  )}
                  {' · '}
                  {formatPhone(c.direction === 'inbound' ? c.from : c.to)}
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
