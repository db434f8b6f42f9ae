import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ForbiddenNotice } from '../components/ui/forbidden-notice';
import { ImportWizard } from '../features/imports/components/import-wizard';
import { canAct } from '../lib/types';
import { useDocumentTitle } from '../lib/use-document-title';
import { useCurrentUser } from '../stores/session-store';

export function ImportPage() {
  const { t } = useTranslation();
  const me = useCurrentUser();
  useDocumentTitle(t('imports.title'));
  return (
    <div className="page page--medium">
      <div className="page__header">
        <div>
          <h1 className="page__title">{t('imports.title')}</h1>
          <p className="page__subtitle muted">{t('imports.subtitle')}</p>
        </div>
        <Link to="/clients" className="btn btn--secondary">
          {t('imports.toClients')}
        </Link>
      </div>
      {canAct(me.role, 'supervisor') ? <ImportWizard /> : <ForbiddenNotice needed="supervisor" />}
    </div>
  );
}
