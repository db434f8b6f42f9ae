import { useTranslation } from 'react-i18next';
import { DataTable } from '../../../components/ui/data-table';
import type { Stage } from '../../../lib/types';
import { StageCells, stageColumns } from './stage-row';

/** StagesReadOnlyList shows the funnel's stages and their rules to users who may not change them. */
export function StagesReadOnlyList({ stages }: { stages: Stage[] }) {
  const { t } = useTranslation();
  return (
    <DataTable aria-label={t('settings.stages.title')} columns={stageColumns(t)}>
      {stages.map((s, i) => (
        <tr key={s.id}>
          <StageCells stage={s} index={i} />
        </tr>
      ))}
    </DataTable>
  );
}
