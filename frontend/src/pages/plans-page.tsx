import { useTranslation } from 'react-i18next';
import { ForbiddenNotice } from '../components/ui/forbidden-notice';
import { PlansManager } from '../features/plans/components/plans-manager';
import { useUsers } from '../features/users/hooks/use-users';
import { canAct } from '../lib/types';
import { useDocumentTitle } from '../lib/use-document-title';
import { useCurrentUser } from '../stores/session-store';

/** PlansPage is where supervisors set agents' plans and watch their pace. */
export function PlansPage() {
  const { t } = useTranslation();
  const me = useCurrentUser();
  useDocumentTitle(t('plans.title'));
  return (
    <div className="page">
      <div className="page__header">
        <h1 className="page__title">{t('plans.title')}</h1>
      </div>
      {canAct(me.role, 'supervisor') ? <SupervisorPlans admin={canAct(me.role, 'admin')} /> : <ForbiddenNotice needed="supervisor" />}
    </div>
  );
}

function SupervisorPlans({ admin }: { admin: boolean }) {
  const users = useUsers();
  const agents = (users.data ?? []).filter((u) => u.active).sort((a, b) => a.name.localeCompare(b.name));
  return <PlansManager agents={agents} canSetThreshold={admin} />;
}
