import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/ui/error-alert';
import { FormActions } from '../../../components/ui/form-actions';
import { SelectField, TextField } from '../../../components/ui/form-field';
import { COOLING_UNITS, type CoolingUnit, type Stage, type User } from '../../../lib/types';
import { useFormErrors } from '../../../lib/use-form-errors';
import { ZOMBIE_ACTIONS, type StageRulesInput, type ZombieAction } from '../api/rules-api';

export const STAGE_RULE_FIELDS = [
  'cooling_period',
  'cooling_unit',
  'cooling_soon',
  'cooling_soon_percent',
  'contact_limit',
  'cooled_reassign_to',
  'cooled_move_to',
  'zombie_action',
  'handoff_channel',
  'handoff_email',
] as const;
type Field = (typeof STAGE_RULE_FIELDS)[number];

/** wholeNumber reads a whole number in [min, max]; null when it is not one. */
function wholeNumber(s: string, min: number, max: number): number | null {
  if (s.trim() === '') return null;
  const n = Number(s);
  return Number.isInteger(n) && n >= min && n <= max ? n : null;
}

interface StageRulesFormProps {
  stage: Stage;
  stages: readonly Stage[];
  users: readonly User[];
  onSubmit: (input: StageRulesInput) => Promise<void>;
}

/**
 * StageRulesForm edits one stage's rules: the cooling period (working days
 * or hours) and its "cooling soon" share, what happens to a cooled client,
 * and the zombie limit with its action. Errors show by the field at fault,
 * the server's as well as the form's own.
 */
export function StageRulesForm({ stage, stages, users, onSubmit }: StageRulesFormProps) {
  const { t } = useTranslation();
  const [period, setPeriod] = useState(String(stage.cooling_period));
  const [unit, setUnit] = useState<CoolingUnit>(stage.cooling_unit);
  const [percent, setPercent] = useState(String(stage.cooling_soon_percent ?? 80));
  const [notify, setNotify] = useState(stage.notify_owner ?? true);
  const [reassignTo, setReassignTo] = useState(stage.cooled_reassign_to ? String(stage.cooled_reassign_to) : '');
  const [moveTo, setMoveTo] = useState(stage.cooled_move_to ? String(stage.cooled_move_to) : '');
  const [limit, setLimit] = useState(String(stage.contact_limit));
  const [action, setAction] = useState<ZombieAction>(stage.zombie_action ?? 'queue');
  const [channel, setChannel] = useState(stage.handoff_channel ?? '');
  const [email, setEmail] = useState(stage.handoff_email ?? '');
  const [webhook, setWebhook] = useState(stage.handoff_webhook ?? false);
  const { fieldErrors, setFieldErrors, formError, clear, pending, run } = useFormErrors(STAGE_RULE_FIELDS);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    clear();
    const errs: Partial<Record<Field, string>> = {};
    const p = wholeNumber(period, 0, 10000);
    const pc = wholeNumber(percent, 1, 100);
    const l = wholeNumber(limit, 0, 1000);
    if (p === null) errs.cooling_period = t('rulesEngine.rules.errors.period');
    if (pc === null) errs.cooling_soon_percent = t('rulesEngine.rules.errors.percent');
    if (l === null) errs.contact_limit = t('rulesEngine.rules.errors.limit');
    if (action === 'handoff' && !channel.trim() && !email.trim() && !webhook) errs.handoff_channel = t('rulesEngine.rules.errors.handoffTarget');
    if (email.trim() && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) errs.handoff_email = t('rulesEngine.rules.errors.email');
    if (Object.keys(errs).length > 0) {
      setFieldErrors(errs);
      return;
    }
    await run(() =>
      onSubmit({
        cooling_period: p ?? 0,
        cooling_unit: unit,
        // The share governs "cooling soon"; a fixed time from the stage form would win over it.
        cooling_soon: 0,
        cooling_soon_percent: pc ?? 80,
        notify_owner: notify,
        cooled_reassign_to: reassignTo ? Number(reassignTo) : 0,
        cooled_move_to: moveTo ? Number(moveTo) : 0,
        contact_limit: l ?? 0,
        zombie_action: action,
        handoff_channel: channel.trim(),
        handoff_email: email.trim(),
        handoff_webhook: webhook,
      }),
    );
  };

  return (
    <form className="form stage-rules" onSubmit={submit} noValidate aria-label={t('rulesEngine.rules.stageForm', { name: stage.name })}>
      <ErrorAlert error={formError} />
      <fieldset className="fieldset">
        <legend className="subsection-title">{t('rulesEngine.rules.cooling')}</legend>
        <div className="form-grid form-grid--3">
          <TextField
            label={t('rulesEngine.rules.period')}
            type="number"
            min={0}
            inputMode="numeric"
            value={period}
            onChange={setPeriod}
            error={fieldErrors.cooling_period}
            hint={t('rulesEngine.rules.periodHint')}
          />
          <SelectField label={t('rulesEngine.rules.unit')} value={unit} onChange={(v) => setUnit(v as CoolingUnit)} error={fieldErrors.cooling_unit}>
            {COOLING_UNITS.map((u) => (
              <option key={u} value={u}>
                {t(`rulesEngine.rules.units.${u}`)}
              </option>
            ))}
          </SelectField>
          <TextField
            label={t('rulesEngine.rules.soonPercent')}
            type="number"
            min={1}
            max={100}
            inputMode="numeric"
            value={percent}
            onChange={setPercent}
            error={fieldErrors.cooling_soon_percent ?? fieldErrors.cooling_soon}
            hint={t('rulesEngine.rules.soonPercentHint')}
          />
        </div>
        <p className="muted small">{t('rulesEngine.rules.cooledQueue')}</p>
        <label className="checkbox">
          <input type="checkbox" checked={notify} onChange={(e) => setNotify(e.target.checked)} /> {t('rulesEngine.rules.notifyOwner')}
        </label>
        <div className="form-grid">
          <SelectField label={t('rulesEngine.rules.reassignTo')} value={reassignTo} onChange={setReassignTo} error={fieldErrors.cooled_reassign_to}>
            <option value="">{t('rulesEngine.rules.nobody')}</option>
            {users
              .filter((u) => u.active)
              .map((u) => (
                <option key={u.id} value={String(u.id)}>
                  {u.name}
                </option>
              ))}
          </SelectField>
          <SelectField label={t('rulesEngine.rules.moveTo')} value={moveTo} onChange={setMoveTo} error={fieldErrors.cooled_move_to}>
            <option value="">{t('rulesEngine.rules.stay')}</option>
            {stages
              .filter((s) => s.id !== stage.id)
              .map((s) => (
                <option key={s.id} value={String(s.id)}>
                  {s.name}
                </option>
              ))}
          </SelectField>
        </div>
      </fieldset>
      <fieldset className="fieldset">
        <legend className="subsection-title">{t('rulesEngine.rules.zombies')}</legend>
        <div className="form-grid">
          <TextField
            label={t('rulesEngine.rules.contactLimit')}
            type="number"
            min={0}
            inputMode="numeric"
            value={limit}
            onChange={setLimit}
            error={fieldErrors.contact_limit}
            hint={t('rulesEngine.rules.contactLimitHint')}
          />
          <SelectField label={t('rulesEngine.rules.zombieAction')} value={action} onChange={(v) => setAction(v as ZombieAction)} error={fieldErrors.zombie_action}>
            {ZOMBIE_ACTIONS.map((a) => (
              <option key={a} value={a}>
                {t(`rulesEngine.rules.zombieActions.${a}`)}
              </option>
            ))}
          </SelectField>
        </div>
        {action !== 'reject' && (
          <div className="form-grid">
            <TextField
              label={t('rulesEngine.rules.handoffChannel')}
              value={channel}
              onChange={setChannel}
              maxLength={100}
              error={fieldErrors.handoff_channel}
              hint={t('rulesEngine.rules.handoffChannelHint')}
            />
            <TextField
              label={t('rulesEngine.rules.handoffEmail')}
              type="email"
              value={email}
              onChange={setEmail}
              error={fieldErrors.handoff_email}
            />
          </div>
        )}
        {action !== 'reject' && (
          <label className="checkbox">
            <input type="checkbox" checked={webhook} onChange={(e) => setWebhook(e.target.checked)} /> {t('rulesEngine.rules.handoffWebhook')}
          </label>
        )}
      </fieldset>
      <FormActions pending={pending} submitLabel={t('rulesEngine.rules.save')} />
    </form>
  );
}
