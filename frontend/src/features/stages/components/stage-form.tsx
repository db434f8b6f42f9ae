import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/ui/error-alert';
import { FormActions } from '../../../components/ui/form-actions';
import { SelectField, TextField } from '../../../components/ui/form-field';
import { COOLING_UNITS, STAGE_KINDS, type CoolingUnit, type Stage, type StageInput, type StageKind } from '../../../lib/types';
import { useFormErrors } from '../../../lib/use-form-errors';

const FIELDS = ['name', 'kind', 'cooling_period', 'cooling_unit', 'cooling_soon', 'contact_limit'] as const;
type StageField = (typeof FIELDS)[number];

interface StageFormProps {
  stage?: Stage;
  onSubmit: (input: StageInput) => Promise<void>;
  onCancel: () => void;
}

function toInt(s: string): number | null {
  if (s.trim() === '') return 0;
  const n = Number(s);
  return Number.isInteger(n) && n >= 0 ? n : null;
}

/** StageForm creates or edits a funnel stage: name, kind, cooling period and contact limit. */
export function StageForm({ stage, onSubmit, onCancel }: StageFormProps) {
  const { t } = useTranslation();
  const [name, setName] = useState(stage?.name ?? '');
  const [kind, setKind] = useState<StageKind>(stage?.kind ?? 'open');
  const [period, setPeriod] = useState(String(stage?.cooling_period ?? 3));
  const [unit, setUnit] = useState<CoolingUnit>(stage?.cooling_unit ?? 'working_days');
  const [soon, setSoon] = useState(String(stage?.cooling_soon ?? 1));
  const [limit, setLimit] = useState(String(stage?.contact_limit ?? 7));
  const { fieldErrors, setFieldErrors, formError, clear, pending, run } = useFormErrors(FIELDS);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    clear();
    const errs: Partial<Record<StageField, string>> = {};
    if (!name.trim()) errs.name = t('validation.required');
    const p = toInt(period);
    const s = toInt(soon);
    const l = toInt(limit);
    if (p === null) errs.cooling_period = t('validation.wholeNumber');
    if (s === null) errs.cooling_soon = t('validation.wholeNumber');
    if (l === null) errs.contact_limit = t('validation.wholeNumber');
    if (p !== null && s !== null && p > 0 && s >= p) errs.cooling_soon = t('settings.stages.soonTooLong');
    if (Object.keys(errs).length > 0) {
      setFieldErrors(errs);
      return;
    }
    await run(() =>
      onSubmit({
        name: name.trim(),
        kind,
        cooling_period: p ?? 0,
        cooling_unit: unit,
        cooling_soon: s ?? 0,
        contact_limit: l ?? 0,
      }),
    );
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      <ErrorAlert error={formError} />
      <TextField label={t('settings.stages.name')} value={name} onChange={setName} error={fieldErrors.name} autoFocus />
      <SelectField
        label={t('settings.stages.kind')}
        value={kind}
        onChange={(v) => setKind(v as StageKind)}
        error={fieldErrors.kind}
        hint={t('settings.stages.kindHint')}
      >
        {STAGE_KINDS.map((k) => (
          <option key={k} value={k}>
            {t(`stageKind.${k}`)}
          </option>
        ))}
      </SelectField>
      <div className="form-grid form-grid--3">
        <TextField
          label={t('settings.stages.coolingPeriod')}
          type="number"
          min={0}
          inputMode="numeric"
          value={period}
          onChange={setPeriod}
          error={fieldErrors.cooling_period}
          hint={t('settings.stages.coolingPeriodHint')}
        />
        <SelectField
          label={t('settings.stages.coolingUnit')}
          value={unit}
          onChange={(v) => setUnit(v as CoolingUnit)}
          error={fieldErrors.cooling_unit}
        >
          {COOLING_UNITS.map((u) => (
            <option key={u} value={u}>
              {t(`coolingUnit.${u}`)}
            </option>
          ))}
        </SelectField>
        <TextField
          label={t('settings.stages.coolingSoon')}
          type="number"
          min={0}
          inputMode="numeric"
          value={soon}
          onChange={setSoon}
          error={fieldErrors.cooling_soon}
          hint={t('settings.stages.coolingSoonHint')}
        />
      </div>
      <TextField
        label={t('settings.stages.contactLimit')}
        type="number"
        min={0}
        inputMode="numeric"
        value={limit}
        onChange={setLimit}
        error={fieldErrors.contact_limit}
        hint={t('settings.stages.contactLimitHint')}
      />
      <FormActions pending={pending} submitLabel={stage ? t('common.save') : t('settings.stages.add')} onCancel={onCancel} />
    </form>
  );
}
