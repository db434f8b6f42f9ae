import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/ui/error-alert';
import { FormActions } from '../../../components/ui/form-actions';
import { TextField } from '../../../components/ui/form-field';
import { useToast } from '../../../components/ui/toast';
import { useFormErrors } from '../../../lib/use-form-errors';
import { updateRuleSettings, type RuleSettings } from '../api/rules-api';

const FIELDS = ['contact_min_seconds', 'objective_funnel'] as const;

/** RuleSettingsForm edits the organisation's objective funnel switch and what counts as a contact. */
export function RuleSettingsForm({ settings, onSaved }: { settings: RuleSettings; onSaved: (s: RuleSettings) => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const [objective, setObjective] = useState(settings.objective_funnel);
  const [seconds, setSeconds] = useState(String(settings.contact_min_seconds));
  const { fieldErrors, setFieldErrors, formError, clear, pending, run } = useFormErrors(FIELDS);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    clear();
    const n = Number(seconds);
    if (seconds.trim() === '' || !Number.isInteger(n) || n < 0 || n > 3600) {
      setFieldErrors({ contact_min_seconds: t('rulesEngine.settings.errors.seconds') });
      return;
    }
    await run(async () => {
      onSaved(await updateRuleSettings({ objective_funnel: objective, contact_min_seconds: n }));
      toast.show(t('rulesEngine.settings.saved'), 'success');
    });
  };

  return (
    <form className="form form--narrow" onSubmit={submit} noValidate aria-label={t('rulesEngine.settings.title')}>
      <ErrorAlert error={formError} />
      <label className="checkbox">
        <input type="checkbox" role="switch" checked={objective} onChange={(e) => setObjective(e.target.checked)} />{' '}
        {t('rulesEngine.settings.objective')}
      </label>
      <p className="field__hint">{t('rulesEngine.settings.objectiveHint', { seconds: settings.wrap_up_seconds })}</p>
      {fieldErrors.objective_funnel && (
        <p className="field__error" role="alert">
          {fieldErrors.objective_funnel}
        </p>
      )}
      <TextField
        label={t('rulesEngine.settings.contactMin')}
        type="number"
        min={0}
        max={3600}
        inputMode="numeric"
        value={seconds}
        onChange={setSeconds}
        error={fieldErrors.contact_min_seconds}
        hint={t('rulesEngine.settings.contactMinHint')}
      />
      <FormActions pending={pending} />
    </form>
  );
}
