import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { ErrorAlert } from '../components/ui/error-alert';
import { SelectField } from '../components/ui/form-field';
import { Loading } from '../components/ui/loading';
import { MyDayList } from '../features/my-day/components/my-day-list';
import { useMyDay } from '../features/my-day/hooks/use-my-day';
import { PlanProgressPanel } from '../features/plans-progress/components/plan-progress-list';
import { ClientCallButton } from '../features/softphone/components/client-call-button';
import { useStages } from '../features/stages/hooks/use-stages';
import { useUsers } from '../features/users/hooks/use-users';
import { useNow } from '../features/wallboard/hooks/use-now';
import { canAct } from '../lib/types';
import { useDocumentTitle } from '../lib/use-document-title';
import { useCurrentUser } from '../stores/session-store';

/**
 * MyDayPage is an agent's home: the day in the seed's order (callbacks and
 * clients cooling soon, cooled ones, clients in progress, new ones) and the
 * agent's plan progress. Supervisors may look at any agent's day.
 */
export function MyDayPage() {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const [params, setParams] = useSearchParams();
  const supervisor = canAct(me.role, 'supervisor');
  const asked = Number(params.get('agent'));
  const agentId = supervisor && Number.isInteger(asked) && asked > 0 ? asked : null;
  const day = useMyDay(agentId);
  const stages = useStages();
  const users = useUsers();
  const now = useNow(60_000);
  useDocumentTitle(t('rulesEngine.myDay.title'));

  const agents = (users.data ?? []).filter((u) => u.active && u.id !== me.id);
  const viewed = agentId ?? me.id;

  return (
    <div className="page page--wide">
      <div className="page__header">
        <div>
          <h1 className="page__title">{t('rulesEngine.myDay.title')}</h1>
          <p className="page__subtitle muted">{t('rulesEngine.myDay.help')}</p>
        </div>
        {supervisor && (
          <div className="page__actions">
            <SelectField
              label={t('rulesEngine.myDay.whoseDay')}
              value={agentId === null ? '' : String(agentId)}
              onChange={(v) => setParams(v ? { agent: v } : {}, { replace: true })}
            >
              <option value="">{t('rulesEngine.myDay.mine')}</option>
              {agents.map((u) => (
                <option key={u.id} value={String(u.id)}>
                  {u.name}
                </option>
              ))}
            </SelectField>
          </div>
        )}
      </div>
      <div className="my-day-layout">
        <section aria-label={t('rulesEngine.myDay.listLabel')}>
          {!day.data && <ErrorAlert error={day.error} />}
          {day.loading && !day.data ? (
            <Loading />
          ) : (
            <MyDayList
              items={day.data?.items ?? []}
              stages={stages.data ?? []}
              users={users.data ?? []}
              now={now}
              renderCall={(c) => <ClientCallButton client={c} />}
              onClientChanged={() => day.refresh()}
            />
          )}
        </section>
        <aside className="panel" aria-labelledby="my-day-plan-title">
          <h2 id="my-day-plan-title" className="panel__title">
            {t('rulesEngine.plans.mine')}
          </h2>
          <PlanProgressPanel agentId={viewed} emptyText={t('rulesEngine.plans.noneMine')} />
        </aside>
      </div>
    </div>
  );
}
