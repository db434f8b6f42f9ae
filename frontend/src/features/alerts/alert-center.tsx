import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useToast } from '../../components/ui/toast';
import { isApiError } from '../../lib/api-client';
import { formatPhone, formatDateTimeShort } from '../../lib/format';
import { useLiveEvents } from '../../stores/realtime-store';
import { useSession } from '../../stores/session-store';
import {
  addMissed,
  addPlanAlert,
  answeredWith,
  dismiss,
  emptyAlerts,
  seesMissedCall,
  visible,
  type AlertGroup,
  type AlertState,
} from './alert-groups';
import { callBack } from './api';
import { BackgroundSignal, browserSignalEnv, type BackgroundSignalEnv } from './background-signal';

/**
 * AlertCenter shows live alerts in a corner: missed calls to the client's
 * owner and to supervisors, with one-click call back, and plan alerts to
 * supervisors. Repeats group (one card per caller or per agent and
 * metric), at most a few cards show, and a hidden tab gets a desktop
 * notification and a chime.
 */
export function AlertCenter({ signalEnv }: { signalEnv?: BackgroundSignalEnv }) {
  const { t, i18n } = useTranslation();
  const { user } = useSession();
  const toast = useToast();
  const [state, setState] = useState<AlertState>(emptyAlerts);
  const signal = useRef<BackgroundSignal | null>(null);
  signal.current ??= new BackgroundSignal(signalEnv ?? browserSignalEnv());
  const [permission, setPermission] = useState<NotificationPermission | 'unsupported'>(() =>
    typeof Notification === 'undefined' ? 'unsupported' : Notification.permission,
  );

  useLiveEvents(['call.missed', 'call.answered', 'plan.alert'], (m) => {
    if (!user) return;
    const now = new Date().toISOString();
    if (m.type === 'call.answered') {
      setState((s) => answeredWith(s, m.data));
      return;
    }
    if (m.type === 'call.missed') {
      if (!seesMissedCall(m.data, user)) return;
      setState((s) => addMissed(s, m.data, now));
      const who = m.data.client_name || formatPhone(m.data.from) || t('alerts.unknownCaller');
      signal.current?.signal(t('alerts.missedTitle'), who, `missed:${m.data.from}`);
      return;
    }
    if (user.role === 'agent') return;
    setState((s) => addPlanAlert(s, m.data, now));
    signal.current?.signal(t('alerts.planTitle'), m.data.reason, `plan:${m.data.agent_id}:${m.data.metric}`);
  });

  // A user who logs out and another who logs in must not inherit alerts.
  useEffect(() => setState(emptyAlerts), [user?.id]);

  const { shown, more } = visible(state);
  if (shown.length === 0) return null;

  const onCallBack = async (g: AlertGroup & { kind: 'missed' }) => {
    try {
      await callBack(g.number, g.clientId);
      setState((s) => dismiss(s, g.key));
    } catch (err) {
      const softphoneOff = isApiError(err) && err.status === 409;
      toast.show(softphoneOff ? t('alerts.softphoneOff') : t('alerts.callBackFailed'), 'error');
    }
  };

  return (
    <section className="alert-center" aria-label={t('alerts.region')} aria-live="polite" data-testid="alert-center">
      {permission === 'default' && (
        <button
          type="button"
          className="alert-center__enable"
          onClick={() => void Notification.requestPermission().then(setPermission)}
        >
          {t('alerts.enableNotifications')}
        </button>
      )}
      {shown.map((g) =>
        g.kind === 'missed' ? (
          <div key={g.key} className="alert-card alert-card--missed" data-testid="missed-call-alert" data-count={g.count}>
            <div className="alert-card__body">
              <strong>{g.count > 1 ? t('alerts.missedMany', { count: g.count }) : t('alerts.missedOne')}</strong>
              <span>
                {g.clientId ? <Link to={`/clients/${g.clientId}`}>{g.clientName || formatPhone(g.number)}</Link> : null}
                {g.clientId ? ' · ' : ''}
                {g.number ? formatPhone(g.number) : t('alerts.hiddenNumber')}
              </span>
              <span className="alert-card__meta">
                {formatDateTimeShort(g.lastAt, i18n.language)}
                {g.reason ? ` · ${t(`alerts.reason.${g.reason}`)}` : ''}
              </span>
            </div>
            <div className="alert-card__actions">
              {g.number && (
                <button type="button" className="btn btn--primary btn--small" onClick={() => void onCallBack(g)}>
                  {t('alerts.callBack')}
                </button>
              )}
              <DismissButton onClick={() => setState((s) => dismiss(s, g.key))} />
            </div>
          </div>
        ) : (
          <div key={g.key} className="alert-card alert-card--plan" data-testid="plan-alert" data-count={g.count}>
            <div className="alert-card__body">
              <strong>{t('alerts.planTitle')}</strong>
              <span>{g.alert.reason}</span>
              <span className="alert-card__meta">{formatDateTimeShort(g.lastAt, i18n.language)}</span>
            </div>
            <div className="alert-card__actions">
              <DismissButton onClick={() => setState((s) => dismiss(s, g.key))} />
            </div>
          </div>
        ),
      )}
      {more > 0 && <p className="alert-center__more">{t('alerts.more', { count: more })}</p>}
    </section>
  );
}

function DismissButton({ onClick }: { onClick: () => void }) {
  const { t } = useTranslation();
  return (
    <button type="button" className="alert-card__close" aria-label={t('common.dismiss')} onClick={onClick}>
      ×
    </button>
  );
}
