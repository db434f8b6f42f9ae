import { useId } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * CallsPanel holds the places of the call figures (live calls; today's
 * answered, missed and not called back) and of plan progress. Until the
 * softphone and the plans module exist they say so, with no numbers.
 */
export function CallsPanel() {
  const { t } = useTranslation();
  const callsId = useId();
  const plansId = useId();
  return (
    <div className="wallboard__side">
      <section className="wallboard__section" aria-labelledby={callsId}>
        <h2 id={callsId} className="wallboard__heading">
          {t('wallboard.calls')}
        </h2>
        <dl className="call-stats">
          {(['liveCalls', 'answered', 'missed', 'notCalledBack'] as const).map((key) => (
            <div key={key} className="call-stats__item">
              <dt>{t(`wallboard.${key}`)}</dt>
              <dd>
                <span aria-hidden="true">—</span>
                <span className="visually-hidden">{t('wallboard.noData')}</span>
              </dd>
            </div>
          ))}
        </dl>
        <p className="wallboard__empty">{t('wallboard.callsSoon')}</p>
      </section>
      <section className="wallboard__section" aria-labelledby={plansId}>
        <h2 id={plansId} className="wallboard__heading">
          {t('wallboard.plans')}
        </h2>
        <p className="wallboard__empty">{t('wallboard.plansSoon')}</p>
      </section>
    </div>
  );
}
