import { useTranslation } from 'react-i18next';
import { ForbiddenPage } from '../components/ui/forbidden-notice';
import { useUsers } from '../features/users/hooks/use-users';
import { useNow } from '../features/wallboard/hooks/use-now';
import { WORK_QUEUES } from '../features/work-queues/api/work-queues-api';
import { WorkQueues } from '../features/work-queues/components/work-queues';
import { canAct, type WorkItemKind } from '../lib/types';
import { useDocumentTitle } from '../lib/use-document-title';
import { useSearchParam } from '../lib/use-search-param';
import { useCurrentUser } from '../stores/session-store';

/** QueuesPage is the supervisors' work queues; the queue and owner live in the URL (?queue=zombie&owner=5). */
export function QueuesPage() {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const [params, set] = useSearchParam();
  const users = useUsers();
  const now = useNow(60_000);
  useDocumentTitle(t('rulesEngine.queues.title'));

  if (!canAct(me.role, 'supervisor')) return <ForbiddenPage title={t('rulesEngine.queues.title')} needed="supervisor" />;
  const q = params.get('queue');
  const kind: WorkItemKind = (WORK_QUEUES as readonly string[]).includes(q ?? '') ? (q as WorkItemKind) : 'cooled';
  const owner = Number(params.get('owner'));
  const ownerId = Number.isInteger(owner) && owner > 0 ? owner : null;

  return (
    <div className="page page--wide">
      <div className="page__header">
        <div>
          <h1 className="page__title">{t('rulesEngine.queues.title')}</h1>
          <p className="page__subtitle muted">{t('rulesEngine.queues.help')}</p>
        </div>
      </div>
      <WorkQueues
        kind={kind}
        ownerId={ownerId}
        users={users.data ?? []}
        now={now}
        onKindChange={(k) => set('queue', k)}
        onOwnerChange={(o) => set('owner', o === null ? null : String(o))}
      />
    </div>
  );
}
