import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { Column } from '../../../components/ui/data-table';
import type { Stage } from '../../../lib/types';
import { ContactLimitText, CoolingPeriodText, CoolingSoonText } from './stage-period';

/** stageColumns are the headings of a table of stages (the editor adds its actions after them). */
export function stageColumns(t: TFunction): Column[] {
  return [
    { label: '#', className: 'num' },
    t('settings.stages.name'),
    t('settings.stages.kind'),
    t('settings.stages.coolingPeriod'),
    t('settings.stages.coolingSoon'),
    t('settings.stages.contactLimit'),
    { label: t('settings.stages.clients'), className: 'num' },
  ];
}

/** StageCells are one stage's cells under stageColumns: its place in the funnel (from 1), name, kind and rules. */
export function StageCells({ stage: s, index }: { stage: Stage; index: number }) {
  const { t } = useTranslation();
  return (
    <>
      <td className="num muted">{index + 1}</td>
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
    </>
  );
}
