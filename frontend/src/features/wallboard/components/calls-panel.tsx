import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/ui/error-alert';
import { formatPhone } from '../../../lib/format';
import type { Call, CallsReport } from '../../../lib/types';
import { formatDuration } from '../../presence/presence-state';
// Rules engine (issue 5): per-agent plan progress.
import { PlanProgressPanel } from '../../plans-progress/components/plan-progress-list';

/**
 * CallsPanel shows today's call figures (answered, missed, missed and not
 * called back) and the calls in progress with agent, client, direction
 * and duration, counting up; and each agent's plan progress (actual, pace,
 * target, lag), with an empty state while there are no plans.
 */
export function CallsPanel({ report, error, now }: { report: CallsReport | null; error: unknown; now: number }) {
  const { t } = useTranslation();
  const callsId = useId();
  const plansId = useId();
  const today = report?.today;
  const figures = [
    ['liveCalls', report?.live.length],
    ['answered', today?.answered],
    ['missed', today?.missed],
    ['notCalledBack', today?.not_called_back],
  ] as const;
  return (
    <div className="wallboard__side">
      <section className="wallboard__section" aria-labelledby={callsId}>
        <h2 id={callsId} className="wallboard__heading">
          {t('wallboard.calls')}
        </h2>
        {!report && <ErrorAlert error={error} />}
        <dl className="call-stats" data-testid="call-stats">
          {figures.map(([key, value]) => (
            <div
              key={key}
              className={`call-stats__item${key === 'notCalledBack' && value ? ' call-stats__item--alarm' : ''}`}
              data-testid={`call-stat-${key}`}
            >
              <dt>{t(`wallboard.${key}`)}</dt>
              <dd>
                {value === undefined ? (
                  <>
                    <span aria-hidden="true">—</span>
                    <span className="visually-hidden">{t('wallboard.noData')}</span>
                  </>
                ) : (
                  value
                )}
              </dd>
            </div>
          ))}
        </dl>
        {report && report.live.length === 0 && <p className="wallboard__empty">{t('wallboard.noLiveCalls')}</p>}
        {report && report.live.length > 0 && (
          <ul className="live-calls" data-testid="live-calls">
            {report.live.map((c) => (
              <LiveCall key={c.id} call={c} now={now} />
            ))}
          </ul>
        )}
      </section>
      <section className="wallboard__section" aria-labelledby={plansId}>
        <h2 id={plansId} className="wallboard__heading">
          {t('wallboard.plans')}
        </h2>
        <PlanProgressPanel emptyText={t('rulesEngine.plans.noneTeam')} />
      </section>
    </div>
  );
}

function LiveCall({ call, now }: { call: Call; now: number }) {
  const { t, i18n } = useTranslation();
  const who = call.client_name || formatPhone(call.direction === 'inbound' ? call.from : call.to) || t('wallboard.unknownCaller');
  const started = Date.parse(call.answered_at ?? call.created_at);
  const state = call.status === 'answered' ? (call.held ? 'held' : 'talking') : 'ringing';
  return (
    <li className={`live-call live-call--${state}`} data-testid="live-call" data-call-id={call.id}>
      <span className="live-call__direction" title={t(`wallboard.direction.${call.direction}`)}>
        <span aria-hidden="true">{call.direction === 'inbound' ? '↙' : '↗'}</span>
        <span className="visually-hidden">{t(`wallboard.direction.${call.direction}`)}</span>
      </span>
      <span className="live-call__who">
        <span className="live-call__client">{who}</span>
        <span className="live-call__agent">{call.agent_name || t('wallboard.noAgentYet')}</span>
      </span>
      <span className="live-call__state">{t(`wallboard.callState.${state}`)}</span>
      <span className="live-call__time">{formatDuration(Math.max(0, now - started), i18n.language)}</span>
    </li>
  );
}
