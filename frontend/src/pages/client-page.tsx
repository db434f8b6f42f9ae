import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { CoolingBadge } from '../components/ui/cooling-badge';
import { ErrorAlert } from '../components/ui/error-alert';
import { Loading } from '../components/ui/loading';
import { useToast } from '../components/ui/toast';
import { updateClient } from '../features/clients/api/clients-api';
import { ClientDetails } from '../features/clients/components/client-details';
import { ClientForm } from '../features/clients/components/client-form';
import { ClientNotes } from '../features/clients/components/client-notes';
import { DeleteClientButton } from '../features/clients/components/delete-client-button';
import { StageHistory } from '../features/clients/components/stage-history';
import { StageMoveForm } from '../features/clients/components/stage-move-form';
import { useChannels, useClient, useTransitions } from '../features/clients/hooks/use-clients';
import { ClientCalls } from '../features/calls/components/client-calls';
import { ClientCallButton, ClientLiveCall } from '../features/softphone/components/client-call-button';
import { useStages } from '../features/stages/hooks/use-stages';
// Rules engine (issue 5): automatic actions with undo, manual contacts, the next action date.
import { ClientNextAction } from '../features/my-day/components/client-next-action';
import { ClientAutomaticActions } from '../features/rules/components/client-automatic-actions';
import { ClientContacts } from '../features/rules/components/manual-contact-form';
import { useUsers } from '../features/users/hooks/use-users';
import { isApiError } from '../lib/api-client';
import { canAct } from '../lib/types';
import { useDocumentTitle } from '../lib/use-document-title';
import { useCurrentUser } from '../stores/session-store';
import { NotFoundPage } from './not-found-page';

export function ClientPage() {
  const { t } = useTranslation();
  const { id } = useParams();
  const clientId = Number(id);
  const me = useCurrentUser();
  const navigate = useNavigate();
  const toast = useToast();
  const client = useClient(clientId);
  const transitions = useTransitions(clientId);
  const stages = useStages();
  const users = useUsers();
  const channels = useChannels();
  const [editing, setEditing] = useState(false);
  useDocumentTitle(client.data?.name ?? t('client.title'));

  if (!Number.isInteger(clientId) || clientId <= 0 || (isApiError(client.error) && client.error.code === 'not_found')) {
    return <NotFoundPage />;
  }
  const c = client.data;
  const stage = stages.data?.find((s) => s.id === c?.stage_id);

  return (
    <div className="page">
      <nav className="breadcrumbs" aria-label={t('nav.breadcrumbs')}>
        <Link to="/clients">{t('nav.clients')}</Link>
        <span aria-hidden="true"> / </span>
        <span aria-current="page">{c?.name ?? '…'}</span>
      </nav>
      <ErrorAlert error={client.error} />
      {!c && client.loading && <Loading />}
      {c && (
        <>
          <div className="page__header client-header">
            <div>
              <h1 className="page__title">{c.name}</h1>
              <p className="page__subtitle">
                {c.company && <span className="client-header__company">{c.company}</span>}
                {stage && <span className={`stage-pill stage-pill--${stage.kind}`}>{stage.name}</span>}
                <CoolingBadge state={c.cooling_state} />
              </p>
            </div>
            <div className="page__actions">
              <ClientCallButton client={c} />
              {!editing && (
                <button type="button" className="btn btn--secondary" onClick={() => setEditing(true)}>
                  {t('client.edit')}
                </button>
              )}
              {canAct(me.role, 'supervisor') && (
                <DeleteClientButton
                  client={c}
                  onDeleted={() => {
                    toast.show(t('client.delete.done', { name: c.name }), 'success');
                    navigate('/clients', { replace: true });
                  }}
                />
              )}
            </div>
          </div>

          <ClientLiveCall client={c} />
          <div className="client-layout">
            <div className="client-layout__main">
              <section className="panel" aria-labelledby="client-details-title">
                <h2 id="client-details-title" className="panel__title">
                  {editing ? t('client.editTitle') : t('client.details')}
                </h2>
                {editing ? (
                  <ClientForm
                    client={c}
                    stages={stages.data ?? []}
                    users={users.data ?? []}
                    channels={channels.data ?? []}
                    submitLabel={t('common.save')}
                    onCancel={() => setEditing(false)}
                    onSubmit={async (input) => {
                      const updated = await updateClient(c.id, input);
                      client.setData(updated);
                      setEditing(false);
                      toast.show(t('client.saved'), 'success');
                    }}
                  />
                ) : (
                  <ClientDetails client={c} stages={stages.data ?? []} users={users.data ?? []} />
                )}
              </section>
              <ClientNotes client={c} onSaved={(updated) => client.setData(updated)} />
            </div>
            <div className="client-layout__side">
              <StageMoveForm
                client={c}
                stages={stages.data ?? []}
                onMoved={(moved) => {
                  client.setData(moved);
                  transitions.reload();
                  const to = stages.data?.find((s) => s.id === moved.stage_id);
                  toast.show(t('client.move.done', { name: moved.name, stage: to?.name ?? '' }), 'success');
                }}
              />
              <StageHistory transitions={transitions.data} loading={transitions.loading} error={transitions.error} />
              {/* Rules engine (issue 5). */}
              <ClientNextAction client={c} onSaved={(updated) => client.setData(updated)} />
              <ClientContacts clientId={c.id} onLogged={() => client.refresh()} />
              <ClientAutomaticActions
                clientId={c.id}
                canUndo={canAct(me.role, 'supervisor')}
                onUndone={() => {
                  client.refresh();
                  transitions.refresh();
                }}
              />
              <ClientCalls clientId={c.id} />
            </div>
          </div>
        </>
      )}
    </div>
  );
}
