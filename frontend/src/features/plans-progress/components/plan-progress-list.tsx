import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/ui/error-alert';
import { Loading } from '../../../components/ui/loading';
import type { UserID } from '../../../lib/types';
import type { PlanMetric, PlanProgress, PlanProgressReport } from '../../plans/api/plans-api';
import { usePlanProgress } from '../hooks/use-plan-progress';
import '../plans-progress.css';

/** fmt writes a figure with at most one decimal: 3, 3.5. */
function fmt(n: number, lng: string): string {
  return new Intl.NumberFormat(lng, { maximumFractionDigits: 1 }).format(n);
}

/**
 * PlanProgressList shows each plan's metrics: done against what is due by
 * now (the pace) and the period's target, the lag highlighted when the
 * agent is behind. Big and plain enough for a TV across the room.
 */
export function PlanProgressList({ items, showAgent = true }: { items: readonly PlanProgress[]; showAgent?: boolean }) {
  const { t, i18n } = useTranslation();
  return (
    <ul className="plan-progress" aria-label={t('rulesEngine.plans.listLabel')}>
      {items.map((p) => {
        const behind = p.metrics.some((m) => m.behind);
        return (
          <li
            key={p.plan_id}
            className={`plan-progress__plan${behind ? ' plan-progress__plan--behind' : ''}`}
            aria-label={showAgent ? p.agent_name : t(`rulesEngine.plans.period.${p.period}`)}
            data-testid="plan-progress"
            data-agent-id={p.agent_id}
          >
            <div className="plan-progress__head">
              {showAgent && <span className="plan-progress__agent">{p.agent_name}</span>}
              <span className="muted small">
                {t(`rulesEngine.plans.period.${p.period}`)} · {t('rulesEngine.plans.elapsed', { percent: Math.round(p.elapsed * 100) })}
              </span>
            </div>
            <table className="plan-progress__metrics">
              <thead>
                <tr>
                  <th scope="col">{t('rulesEngine.plans.metric')}</th>
                  <th scope="col" className="num">{t('rulesEngine.plans.actual')}</th>
                  <th scope="col" className="num">{t('rulesEngine.plans.pace')}</th>
                  <th scope="col" className="num">{t('rulesEngine.plans.target')}</th>
                  <th scope="col" className="num">{t('rulesEngine.plans.lag')}</th>
                </tr>
              </thead>
              <tbody>
                {p.metrics.map((m) => (
                  <MetricRow key={m.metric} m={m} lng={i18n.language} />
                ))}
              </tbody>
            </table>
          </li>
        );
      })}
    </ul>
  );
}

function MetricRow({ m, lng }: { m: PlanMetric; lng: string }) {
  const { t } = useTranslation();
  const share = m.target > 0 ? Math.min(1, m.actual / m.target) : 0;
  const pace = m.target > 0 ? Math.min(1, m.expected / m.target) : 0;
  return (
    <tr className={m.behind ? 'plan-metric plan-metric--behind' : 'plan-metric'} data-metric={m.metric} data-behind={m.behind}>
      <th scope="row">
        {t(`rulesEngine.plans.metrics.${m.metric}`)}
        <span className="plan-metric__bar" aria-hidden="true">
          <span className="plan-metric__done" style={{ width: `${share * 100}%` }} />
          <span className="plan-metric__pace" style={{ left: `${pace * 100}%` }} />
        </span>
      </th>
      <td className="num">{m.actual}</td>
      <td className="num">{fmt(m.expected, lng)}</td>
      <td className="num">{m.target}</td>
      <td className="num plan-metric__lag">
        {m.lag > 0 ? t('rulesEngine.plans.behindBy', { lag: fmt(m.lag, lng) }) : t('rulesEngine.plans.onPace')}
        {m.carried > 0 && <span className="muted small"> {t('rulesEngine.plans.carried', { lag: fmt(m.carried, lng) })}</span>}
      </td>
    </tr>
  );
}

interface PlanProgressPanelProps {
  /** Only this agent's plans (My day); every visible plan when absent (the wallboard). */
  agentId?: UserID;
  /** An empty state's text when there are no plans. */
  emptyText?: string;
}

/** PlanProgressPanel loads plan progress and shows it, with a clear empty state when there are no plans. */
export function PlanProgressPanel({ agentId, emptyText }: PlanProgressPanelProps) {
  const { t } = useTranslation();
  const progress = usePlanProgress();
  return <PlanProgressView report={progress.data} error={progress.error} agentId={agentId} emptyText={emptyText ?? t('rulesEngine.plans.none')} />;
}

/** PlanProgressView is PlanProgressPanel's rendering, for tests and callers with their own data. */
export function PlanProgressView({
  report,
  error,
  agentId,
  emptyText,
}: {
  report: PlanProgressReport | undefined;
  error: unknown;
  agentId?: UserID;
  emptyText: string;
}) {
  if (!report) return error ? <ErrorAlert error={error} /> : <Loading />;
  const items = agentId === undefined ? report.items : report.items.filter((p) => p.agent_id === agentId);
  if (items.length === 0) return <p className="wallboard__empty plan-progress__empty">{emptyText}</p>;
  return <PlanProgressList items={items} showAgent={agentId === undefined} />;
}
