import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { errorDetail } from '../components/ui/error-alert';
import { ErrorAlert } from '../components/ui/error-alert';
import { Loading } from '../components/ui/loading';
import { useToast } from '../components/ui/toast';
import { FunnelBoard } from '../features/funnel/components/funnel-board';
import { useFunnelBoard } from '../features/funnel/hooks/use-funnel-board';
import { useStages } from '../features/stages/hooks/use-stages';
import { useDocumentTitle } from '../lib/use-document-title';

export function BoardPage() {
  const { t } = useTranslation();
  const toast = useToast();
  const stages = useStages();
  const model = useFunnelBoard(stages.data, {
    onMoveFailed: (client, toStage, err) => {
      const detail = errorDetail(err);
      toast.show(
        t('board.moveFailed', { name: client.name, stage: toStage.name }) + (detail ? ` ${detail}` : ''),
        'error',
      );
    },
  });
  useDocumentTitle(t('board.title'));

  return (
    <div className="page page--wide">
      <div className="page__header">
        <div>
          <h1 className="page__title">{t('board.title')}</h1>
          <p className="page__subtitle muted">{t('board.help')}</p>
        </div>
        <Link to="/clients" className="btn btn--secondary">
          {t('board.toList')}
        </Link>
      </div>
      <ErrorAlert error={stages.error} />
      {stages.loading && !stages.data && <Loading />}
      <FunnelBoard model={model} />
    </div>
  );
}
