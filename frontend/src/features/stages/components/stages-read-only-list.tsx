import { useTranslation } from 'react-i18next';
import type { Stage } from '../../../lib/types';
import { ContactLimitText, CoolingPeriodText, CoolingSoonText } from './stage-period';

/** StagesReadOnlyList shows the funnel's stages and their rules to users who may not change them. */
export function StagesReadOnlyList({ stages }: { stages: Stage[] }) {
  const { t } = useTranslation();
  return (
    <div className="table-wrap">
      <table className="table" aria-label={t('settings.stages.title')}>
        <thead>
          <tr>
            <th scope="col" className="num">
              #
            </th>
            <th scope="col">{t('settings.stages.name')}</th>
            <th scope="col">{t('settings.stages.kind')}</th>
            <th scope="col">{t('settings.stages.coolingPeriod')}</th>
            <th scope="col">{t('settings.stages.coolingSoon')}</th>
            <th scope="col">{t('settings.stages.contactLimit')}</th>
            <th scope="col" className="num">
              {t('settings.stages.clients')}
            </th>
          </tr>
        </thead>
        <tbody>
          {stages.map((s, i) => (
            <tr key={s.id}>
              <td className="num muted">{i + 1}</td>
              <th scope="row">{s.name}</th>
              <td>
                <span className={`kind kind--${s.kind}`}>{t(`stageKind.${s.kind}`)}</span>
              </td>
              <td>
                <CoolingPeriodText stage={s} />
              </td>
              <td>
                <CoolingSoonText stage={s} />
              </td>
              <td>
                <ContactLimitText stage={s} />
              </td>
              <td className="num">{s.client_count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
