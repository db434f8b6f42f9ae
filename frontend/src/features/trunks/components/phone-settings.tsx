import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/ui/error-alert';
import { Loading } from '../../../components/ui/loading';
import { FormActions } from '../../../components/ui/form-actions';
import { TextField } from '../../../components/ui/form-field';
import type { Organisation } from '../../../lib/types';
import { useFormErrors } from '../../../lib/use-form-errors';
import { useResource } from '../../../lib/use-resource';
import { useLiveRefresh } from '../../../stores/realtime-store';
import { fetchLines, fetchTrunks, updatePhoneSettings, type PhoneOrganisation } from '../api/trunks-api';
import '../trunks.css';
import { LinesSettings } from './lines-settings';
import { TrunksSettings } from './trunks-settings';

const ORG_FIELDS = ['auto_answer_seconds', 'wrap_up_seconds'] as const;

/** PhoneOrgSettings edits the organisation's auto-answer and after-call work times. */
function PhoneOrgSettings({ organisation, onSaved }: { organisation: PhoneOrganisation; onSaved: (org: Organisation) => void }) {
  const { t } = useTranslation();
  const [autoAnswer, setAutoAnswer] = useState(String(organisation.auto_answer_seconds ?? 0));
  const [wrapUp, setWrapUp] = useState(String(organisation.wrap_up_seconds ?? 30));
  const [saved, setSaved] = useState(false);
  const { fieldErrors, setFieldErrors, formError, clear, pending, run } = useFormErrors(ORG_FIELDS);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    clear();
    setSaved(false);
    const aa = Number(autoAnswer);
    const wu = Number(wrapUp);
    const errs: Partial<Record<(typeof ORG_FIELDS)[number], string>> = {};
    if (!Number.isInteger(aa) || aa < 0 || aa > 60) errs.auto_answer_seconds = t('phone.org.autoAnswerInvalid');
    if (!Number.isInteger(wu) || wu < 0 || wu > 3600) errs.wrap_up_seconds = t('phone.org.wrapUpInvalid');
    if (Object.keys(errs).length > 0) {
      setFieldErrors(errs);
      return;
    }
    await run(async () => {
      onSaved(await updatePhoneSettings({ auto_answer_seconds: aa, wrap_up_seconds: wu }));
      setSaved(true);
    });
  };

  return (
    <section aria-labelledby="phone-org-title">
      <h2 id="phone-org-title" className="section-title">
        {t('phone.org.title')}
      </h2>
      {organisation.demo_line && (
        <p className="alert alert--info phone-settings__demo" data-testid="demo-line-notice">
          {t('phone.org.demoLine')}
        </p>
      )}
      <form className="form form--narrow" onSubmit={submit} noValidate>
        <ErrorAlert error={formError} />
        <TextField
          label={t('phone.org.autoAnswer')}
          value={autoAnswer}
          onChange={(v) => {
            setAutoAnswer(v);
            setSaved(false);
          }}
          error={fieldErrors.auto_answer_seconds}
          hint={t('phone.org.autoAnswerHint')}
          inputMode="numeric"
        />
        <TextField
          label={t('phone.org.wrapUp')}
          value={wrapUp}
          onChange={(v) => {
            setWrapUp(v);
            setSaved(false);
          }}
          error={fieldErrors.wrap_up_seconds}
          hint={t('phone.org.wrapUpHint')}
          inputMode="numeric"
        />
        <FormActions pending={pending}>
          <span className="muted small" role="status">
            {saved ? t('common.saved') : ''}
          </span>
        </FormActions>
      </form>
    </section>
  );
}

interface PhoneSettingsProps {
  organisation: Organisation;
  onOrganisationSaved: (org: Organisation) => void;
}

/** PhoneSettings is Settings → Phone: the organisation's phone times, trunks and numbers, kept live. */
export function PhoneSettings({ organisation, onOrganisationSaved }: PhoneSettingsProps) {
  const trunks = useResource((signal) => fetchTrunks(signal), []);
  const lines = useResource((signal) => fetchLines(signal), []);
  useLiveRefresh(['trunk.changed'], () => {
    trunks.refresh();
    lines.refresh();
  });
  const reload = () => {
    trunks.refresh();
    lines.refresh();
  };
  return (
    <div className="phone-settings">
      <PhoneOrgSettings organisation={organisation as PhoneOrganisation} onSaved={onOrganisationSaved} />
      {trunks.error && !trunks.data ? <ErrorAlert error={trunks.error} /> : null}
      {!trunks.data ? <Loading /> : <TrunksSettings trunks={trunks.data} onChange={reload} />}
      {lines.error && !lines.data ? <ErrorAlert error={lines.error} /> : null}
      {trunks.data && lines.data && <LinesSettings lines={lines.data} trunks={trunks.data} onChange={reload} />}
    </div>
  );
}
