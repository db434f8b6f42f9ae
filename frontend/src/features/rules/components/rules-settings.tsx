import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/ui/error-alert';
import { Loading } from '../../../components/ui/loading';
import { useToast } from '../../../components/ui/toast';
import type { Stage, User } from '../../../lib/types';
import { useResource } from '../../../lib/use-resource';
import { fetchCalendar, fetchRuleSettings, updateStageRules } from '../api/rules-api';
import { CalendarSettings } from './calendar-settings';
import { RuleSettingsForm } from './rule-settings-form';
import { StageRulesForm } from './stage-rules-form';
import '../rules.css';

interface RulesSettingsProps {
  stages: readonly Stage[];
  users: readonly User[];
  onStageSaved: (stage: Stage) => void;
}

/**
 * RulesSettings is the Settings page's Rules tab (admins): each open
 * stage's cooling and zombie rules, the organisation's objective funnel
 * and contact length, and the working calendar the periods count on.
 */
export function RulesSettings({ stages, users, onStageSaved }: RulesSettingsProps) {
  const { t } = useTranslation();
  const toast = useToast();
  const settings = useResource((signal) => fetchRuleSettings(signal), []);
  const calendar = useResource((signal) => fetchCalendar(signal), []);
  const stagesId = useId();
  const orgId = useId();
  const calId = useId();
  const open = stages.filter((s) => s.kind === 'open');

  return (
    <div className="rules-settings">
      <section aria-labelledby={stagesId}>
        <h2 id={stagesId} className="section-title">
          {t('rulesEngine.rules.title')}
        </h2>
        <p className="muted">{t('rulesEngine.rules.help')}</p>
        {open.map((s) => (
          <details key={s.id} className="panel rules-settings__stage" open={open.length <= 2}>
            <summary className="panel__title">
              {s.name}
              <span className="muted small">
                {s.cooling_period > 0
                  ? t('rulesEngine.rules.summary', {
                      period: t(s.cooling_unit === 'hours' ? 'rulesEngine.units.working_hours' : 'period.working_days', { count: s.cooling_period }),
                      limit: s.contact_limit,
                    })
                  : t('rulesEngine.rules.summaryNoCooling', { limit: s.contact_limit })}
              </span>
            </summary>
            <StageRulesForm
              key={`${s.id}-${s.cooling_period}-${s.cooling_unit}-${s.contact_limit}-${s.zombie_action ?? ''}`}
              stage={s}
              stages={stages}
              users={users}
              onSubmit={async (input) => {
                const saved = await updateStageRules(s.id, input);
                onStageSaved(saved);
                toast.show(t('rulesEngine.rules.saved', { name: saved.name }), 'success');
              }}
            />
          </details>
        ))}
      </section>
      <section aria-labelledby={orgId} className="rules-settings__block">
        <h2 id={orgId} className="section-title">
          {t('rulesEngine.settings.title')}
        </h2>
        {!settings.data ? settings.error ? <ErrorAlert error={settings.error} /> : <Loading /> : <RuleSettingsForm settings={settings.data} onSaved={settings.setData} />}
      </section>
      <section aria-labelledby={calId} className="rules-settings__block">
        <h2 id={calId} className="section-title">
          {t('rulesEngine.calendar.title')}
        </h2>
        <p className="muted">{t('rulesEngine.calendar.help')}</p>
        {!calendar.data ? calendar.error ? <ErrorAlert error={calendar.error} /> : <Loading /> : <CalendarSettings calendar={calendar.data} onSaved={calendar.setData} />}
      </section>
    </div>
  );
}
