import { useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { DataTable, ListState, RowActions } from '../../../components/ui/data-table';
import { Dialog } from '../../../components/ui/dialog';
import { ErrorAlert } from '../../../components/ui/error-alert';
import { SelectField, TextField } from '../../../components/ui/form-field';
import { useToast } from '../../../components/ui/toast';
import { formatDate } from '../../../lib/format';
import type { User } from '../../../lib/types';
import { useFormErrors } from '../../../lib/use-form-errors';
import { useRowAction } from '../../../lib/use-row-action';
import {
  PLAN_METRICS,
  PLAN_PERIODS,
  createPlan,
  deletePlan,
  updatePlan,
  updatePlanSettings,
  type Plan,
  type PlanMetric,
  type PlanPeriod,
  type PlanProgress,
} from '../api/plans-api';
import { usePlanProgress, usePlans } from '../hooks/use-plans';
import '../plans.css';
import { PlanForm } from './plan-form';

interface PlansManagerProps {
  /** Active users a plan may be made for. */
  agents: Pick<User, 'id' | 'name' | 'role'>[];
  /** Admins may change the alert threshold. */
  canSetThreshold: boolean;
}

/**
 * PlansManager is the supervisors' plans: every agent's plan per period
 * with its progress now (done / due by now / target, lag highlighted), and
 * the forms to add, change and delete plans.
 */
export function PlansManager({ agents, canSetThreshold }: PlansManagerProps) {
  const { t, i18n } = useTranslation();
  const toast = useToast();
  const plans = usePlans();
  const progress = usePlanProgress();
  const [agentFilter, setAgentFilter] = useState('');
  const [periodFilter, setPeriodFilter] = useState<PlanPeriod | ''>('');
  const [editing, setEditing] = useState<Plan | 'new' | null>(null);
  const { error, act } = useRowAction<number>();

  const progressOf = useMemo(() => new Map((progress.data?.items ?? []).map((p) => [p.plan_id, p])), [progress.data]);
  const shown = (plans.data ?? [])
    .filter((p) => (agentFilter === '' || String(p.agent_id) === agentFilter) && (periodFilter === '' || p.period === periodFilter))
    .sort((a, b) => a.agent_name.localeCompare(b.agent_name, i18n.language) || PLAN_PERIODS.indexOf(a.period) - PLAN_PERIODS.indexOf(b.period));
  const agentChoices = useMemo(() => {
    const byId = new Map<number, string>();
    for (const p of plans.data ?? []) byId.set(p.agent_id, p.agent_name);
    return [...byId].sort((a, b) => a[1].localeCompare(b[1], i18n.language));
  }, [plans.data, i18n.language]);

  const reload = () => {
    plans.reload();
    progress.reload();
  };

  const remove = async (plan: Plan) => {
    if (!window.confirm(t('plans.confirmDelete', { period: t(`plans.periods.${plan.period}`), name: plan.agent_name }))) return;
    await act(plan.id, async () => {
      await deletePlan(plan.id);
      plans.setData((old) => (old ?? []).filter((p) => p.id !== plan.id));
      toast.show(t('plans.deleted'), 'success');
    });
  };

  return (
    <section aria-labelledby="plans-list-title">
      <p className="muted small">{t('plans.help')}</p>
      {progress.data && (
        <PlanThreshold threshold={progress.data.alert_threshold} canSet={canSetThreshold} onSaved={progress.refresh} />
      )}
      <div className="toolbar">
        <h2 id="plans-list-title" className="visually-hidden">
          {t('plans.title')}
        </h2>
        <SelectField label={t('plans.agent')} value={agentFilter} onChange={setAgentFilter} fieldClassName="toolbar__filter">
          <option value="">{t('plans.allAgents')}</option>
          {agentChoices.map(([id, name]) => (
            <option key={id} value={String(id)}>
              {name}
            </option>
          ))}
        </SelectField>
        <SelectField
          label={t('plans.period')}
          value={periodFilter}
          onChange={(v) => setPeriodFilter(v as PlanPeriod | '')}
          fieldClassName="toolbar__filter"
        >
          <option value="">{t('plans.allPeriods')}</option>
          {PLAN_PERIODS.map((p) => (
            <option key={p} value={p}>
              {t(`plans.periods.${p}`)}
            </option>
          ))}
        </SelectField>
        <span className="toolbar__text" />
        <button type="button" className="btn btn--ghost btn--small" onClick={reload} disabled={plans.loading}>
          {t('plans.refresh')}
        </button>
        <button type="button" className="btn btn--primary btn--small" onClick={() => setEditing('new')}>
          {t('plans.add')}
        </button>
      </div>
      <ErrorAlert error={error ?? (plans.data ? plans.error : null) ?? progress.error} />
      <ListState
        items={plans.data && shown}
        error={plans.error}
        empty={plans.data?.length === 0 ? t('plans.empty') : t('plans.emptyFiltered')}
      >
        <p className="muted small">{t('plans.legend')}</p>
        <DataTable
          className="plans-table"
          aria-labelledby="plans-list-title"
          columns={[t('plans.agent'), t('plans.period'), ...PLAN_METRICS.map((m) => t(`plans.metrics.${m}`))]}
          actions
        >
          {shown.map((plan) => (
            <PlanRow
              key={plan.id}
              plan={plan}
              progress={progressOf.get(plan.id)}
              progressLoaded={Boolean(progress.data)}
              onEdit={() => setEditing(plan)}
              onDelete={() => void remove(plan)}
            />
          ))}
        </DataTable>
      </ListState>
      {editing && (
        <Dialog
          open
          size="large"
          title={editing === 'new' ? t('plans.newTitle') : t('plans.editTitle', { name: editing.agent_name })}
          onClose={() => setEditing(null)}
        >
          <PlanForm
            plan={editing === 'new' ? undefined : editing}
            agents={agents}
            onCancel={() => setEditing(null)}
            onSubmit={async (input) => {
              const saved = editing === 'new' ? await createPlan(input) : await updatePlan(editing.id, input);
              plans.setData((old) => [...(old ?? []).filter((p) => p.id !== saved.id), saved]);
              progress.refresh();
              setEditing(null);
              toast.show(t('plans.saved'), 'success');
            }}
          />
        </Dialog>
      )}
    </section>
  );
}

interface PlanRowProps {
  plan: Plan;
  progress: PlanProgress | undefined;
  progressLoaded: boolean;
  onEdit: () => void;
  onDelete: () => void;
}

function PlanRow({ plan, progress, progressLoaded, onEdit, onDelete }: PlanRowProps) {
  const { t, i18n } = useTranslation();
  const metrics = new Map((progress?.metrics ?? []).map((m) => [m.metric, m]));
  return (
    <tr data-testid="plan-row">
      <th scope="row">{plan.agent_name}</th>
      <td>
        {t(`plans.periods.${plan.period}`)}
        {progress && <div className="muted small">{t('plans.elapsed', { percent: Math.round(progress.elapsed * 100) })}</div>}
        {progressLoaded && !progress && <div className="muted small">{t('plans.noProgress')}</div>}
        <div className="muted small">
          {t('plans.startsOn')}: {/* Local noon: a date-only string would be read as UTC midnight. */}
          {formatDate(`${plan.starts_on}T12:00:00`, i18n.language) || plan.starts_on}
        </div>
      </td>
      {PLAN_METRICS.map((name) => {
        const target = plan[name];
        const m = metrics.get(name);
        if (target === 0) return <td key={name}>{t('common.none')}</td>;
        if (!m) return <td key={name}>{`${t('common.none')} / ${t('common.none')} / ${target}`}</td>;
        return (
          <td key={name}>
            <MetricCell metric={m} />
          </td>
        );
      })}
      <RowActions
        onEdit={onEdit}
        onDelete={onDelete}
        editLabel={`${t('common.edit')}: ${plan.agent_name}, ${t(`plans.periods.${plan.period}`)}`}
        deleteLabel={`${t('common.delete')}: ${plan.agent_name}, ${t(`plans.periods.${plan.period}`)}`}
      />
    </tr>
  );
}

/** MetricCell shows done / due by now / target, and the lag when it passes the alert threshold. */
function MetricCell({ metric: m }: { metric: PlanMetric }) {
  const { t, i18n } = useTranslation();
  const num = (n: number) => n.toLocaleString(i18n.language, { maximumFractionDigits: 1 });
  return (
    <div
      className={m.behind ? 'plan-metric plan-metric--behind' : 'plan-metric'}
      title={t('plans.metricLabel', {
        metric: t(`plans.metrics.${m.metric}`),
        actual: num(m.actual),
        expected: num(m.expected),
        target: num(m.target),
      })}
    >
      <span className="plan-metric__numbers">
        <strong>{num(m.actual)}</strong> / {num(m.expected)} / {num(m.target)}
      </span>
      {m.behind && <span className="plan-metric__lag">{t('plans.behindBy', { lag: num(m.lag) })}</span>}
      {m.carried > 0 && <span className="muted small">{t('plans.carried', { carried: num(m.carried) })}</span>}
    </div>
  );
}

const THRESHOLD_FIELDS = ['alert_threshold'] as const;

interface PlanThresholdProps {
  threshold: number;
  canSet: boolean;
  onSaved: () => void;
}

/** PlanThreshold tells the organisation's alert threshold; admins change it here. */
function PlanThreshold({ threshold, canSet, onSaved }: PlanThresholdProps) {
  const { t } = useTranslation();
  const toast = useToast();
  const [value, setValue] = useState(String(threshold));
  const { fieldErrors, setFieldErrors, formError, clear, pending, run } = useFormErrors(THRESHOLD_FIELDS);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    clear();
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 100) {
      setFieldErrors({ alert_threshold: t('plans.thresholdRange') });
      return;
    }
    await run(async () => {
      await updatePlanSettings({ alert_threshold: n });
      toast.show(t('plans.thresholdSaved'), 'success');
      onSaved();
    });
  };

  return (
    <div className="plan-threshold">
      <p>{t('plans.thresholdText', { threshold })}</p>
      {canSet && (
        <form className="plan-threshold__form" onSubmit={submit} noValidate aria-label={t('plans.threshold')}>
          <ErrorAlert error={formError} />
          <TextField
            label={t('plans.threshold')}
            value={value}
            onChange={setValue}
            error={fieldErrors.alert_threshold}
            hint={t('plans.thresholdHint')}
            inputMode="numeric"
          />
          <div className="form-actions">
            <button type="submit" className="btn btn--secondary btn--small" disabled={pending}>
              {pending ? t('common.saving') : t('common.save')}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
