import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/ui/error-alert';
import { FormActions } from '../../../components/ui/form-actions';
import { SelectField, TextField } from '../../../components/ui/form-field';
import type { User } from '../../../lib/types';
import { useFormErrors } from '../../../lib/use-form-errors';
import { PLAN_METRICS, PLAN_PERIODS, type Plan, type PlanInput, type PlanMetricName, type PlanPeriod } from '../api/plans-api';

const FIELDS = ['agent_id', 'period', 'starts_on', ...PLAN_METRICS] as const;
type FieldName = (typeof FIELDS)[number];

const MAX_TARGET = 100000;

interface PlanFormProps {
  plan?: Plan;
  /** The users a new plan may be for (active ones). */
  agents: Pick<User, 'id' | 'name' | 'role'>[];
  onSubmit: (input: PlanInput) => Promise<void>;
  onCancel: () => void;
}

/**
 * PlanForm sets an agent's targets for a period. The agent and the period
 * are chosen when the plan is made and stay; the targets and the day lag
 * counts from can change.
 */
export function PlanForm({ plan, agents, onSubmit, onCancel }: PlanFormProps) {
  const { t } = useTranslation();
  const [agent, setAgent] = useState(plan ? String(plan.agent_id) : '');
  const [period, setPeriod] = useState<PlanPeriod>(plan?.period ?? 'day');
  const [startsOn, setStartsOn] = useState(plan?.starts_on ?? '');
  const [targets, setTargets] = useState<Record<PlanMetricName, string>>({
    contacts: String(plan?.contacts ?? 0),
    new_clients: String(plan?.new_clients ?? 0),
    advances: String(plan?.advances ?? 0),
    wins: String(plan?.wins ?? 0),
  });
  const { fieldErrors, setFieldErrors, formError, clear, pending, run } = useFormErrors(FIELDS);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    clear();
    const errs: Partial<Record<FieldName, string>> = {};
    if (!plan && !agent) errs.agent_id = t('plans.chooseAgent');
    const values = {} as Record<PlanMetricName, number>;
    for (const m of PLAN_METRICS) {
      const raw = targets[m].trim();
      const n = raw === '' ? 0 : Number(raw);
      if (!Number.isInteger(n) || n < 0 || n > MAX_TARGET) errs[m] = t('plans.targetRange');
      values[m] = n;
    }
    if (PLAN_METRICS.every((m) => !errs[m]) && PLAN_METRICS.every((m) => values[m] === 0)) errs.contacts = t('plans.oneTarget');
    if (Object.keys(errs).length > 0) {
      setFieldErrors(errs);
      return;
    }
    const input: PlanInput = { ...values };
    if (!plan) {
      input.agent_id = Number(agent);
      input.period = period;
    }
    if (startsOn) input.starts_on = startsOn;
    await run(() => onSubmit(input));
  };

  const title = plan ? t('plans.editTitle', { name: plan.agent_name }) : t('plans.newTitle');
  return (
    <form className="form" onSubmit={submit} noValidate aria-label={title}>
      <ErrorAlert error={formError} />
      <div className="form-row">
        <SelectField
          label={t('plans.agent')}
          value={agent}
          onChange={setAgent}
          error={fieldErrors.agent_id}
          disabled={Boolean(plan)}
          hint={plan ? t('plans.fixedOnEdit') : undefined}
        >
          {plan ? (
            <option value={String(plan.agent_id)}>{plan.agent_name}</option>
          ) : (
            <>
              <option value="">{t('plans.chooseAgent')}</option>
              {agents.map((a) => (
                <option key={a.id} value={String(a.id)}>
                  {a.role === 'agent' ? a.name : `${a.name} (${t(`roles.${a.role}`)})`}
                </option>
              ))}
            </>
          )}
        </SelectField>
        <SelectField
          label={t('plans.period')}
          value={period}
          onChange={(v) => setPeriod(v as PlanPeriod)}
          error={fieldErrors.period}
          disabled={Boolean(plan)}
        >
          {PLAN_PERIODS.map((p) => (
            <option key={p} value={p}>
              {t(`plans.periods.${p}`)}
            </option>
          ))}
        </SelectField>
      </div>
      <fieldset className="fieldset">
        <legend className="field__label">{t('plans.targets')}</legend>
        <div className="form-row">
          {PLAN_METRICS.map((m) => (
            <TextField
              key={m}
              label={t(`plans.metrics.${m}`)}
              value={targets[m]}
              onChange={(v) => setTargets((old) => ({ ...old, [m]: v }))}
              error={fieldErrors[m]}
              inputMode="numeric"
            />
          ))}
        </div>
      </fieldset>
      <TextField
        label={t('plans.startsOn')}
        value={startsOn}
        onChange={setStartsOn}
        error={fieldErrors.starts_on}
        hint={t('plans.startsOnHint')}
        type="date"
      />
      <FormActions pending={pending} onCancel={onCancel} />
    </form>
  );
}
