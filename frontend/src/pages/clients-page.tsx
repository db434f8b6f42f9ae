import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../components/ui/error-alert';
import { Loading } from '../components/ui/loading';
import { Pagination } from '../components/ui/pagination';
import { useToast } from '../components/ui/toast';
import { ClientFilters } from '../features/clients/components/client-filters';
import { ClientTable } from '../features/clients/components/client-table';
import { NewClientDialog } from '../features/clients/components/new-client-dialog';
import { useClientListParams, toClientQuery, CLIENTS_PER_PAGE } from '../features/clients/hooks/use-client-list-params';
import { useChannels, useClientPage } from '../features/clients/hooks/use-clients';
import { useStages } from '../features/stages/hooks/use-stages';
import { useUsers } from '../features/users/hooks/use-users';
import { buildUrl } from '../lib/api-client';
import { canAct } from '../lib/types';
import { useDocumentTitle } from '../lib/use-document-title';
import { useCurrentUser } from '../stores/session-store';

export function ClientsPage() {
  const { t } = useTranslation();
  const toast = useToast();
  const me = useCurrentUser();
  const { params, update, hasFilters } = useClientListParams();
  const list = useClientPage(toClientQuery(params));
  const stages = useStages();
  const users = useUsers();
  const channels = useChannels();
  const [creating, setCreating] = useState(false);
  useDocumentTitle(t('clients.title'));

  const onFilters = useCallback(update, [update]);
  // The export takes the same filters as the list, without paging.
  const { page: _page, per_page: _perPage, ...filters } = toClientQuery(params);
  const exportUrl = buildUrl('/clients/export', { ...filters });
  const page = list.data;

  return (
    <div className="page">
      <div className="page__header">
        <div>
          <h1 className="page__title">{t('clients.title')}</h1>
          {page && (
            <p className="page__subtitle muted" aria-live="polite">
              {hasFilters ? t('clients.found', { count: page.total }) : t('clients.count', { count: page.total })}
            </p>
          )}
        </div>
        <div className="page__actions">
          {canAct(me.role, 'supervisor') && (
            <a className="btn btn--secondary" href={exportUrl} download>
              {t('clients.export')}
            </a>
          )}
          <button type="button" className="btn btn--primary" onClick={() => setCreating(true)}>
            {t('clients.new')}
          </button>
        </div>
      </div>

      <ClientFilters
        params={params}
        onChange={onFilters}
        stages={stages.data ?? []}
        users={users.data ?? []}
        channels={channels.data ?? []}
        hasFilters={hasFilters}
      />

      <ErrorAlert error={list.error} />
      {list.loading && !page && <Loading />}
      {page && page.items.length === 0 && (
        <div className="empty">
          <p>{hasFilters ? t('clients.noMatches') : t('clients.empty')}</p>
          {hasFilters ? (
            <button type="button" className="btn btn--secondary" onClick={() => update({ q: '', stage: '', owner: '', channel: '', cooling: '' })}>
              {t('clients.filters.reset')}
            </button>
          ) : (
            <button type="button" className="btn btn--primary" onClick={() => setCreating(true)}>
              {t('clients.new')}
            </button>
          )}
        </div>
      )}
      {page && page.items.length > 0 && (
        <>
          <ClientTable
            clients={page.items}
            stages={stages.data ?? []}
            users={users.data ?? []}
            sort={params.sort}
            order={params.order}
            onSort={(sort, order) => update({ sort, order })}
            busy={list.loading}
          />
          <Pagination page={params.page} perPage={page.per_page || CLIENTS_PER_PAGE} total={page.total} onPage={(p) => update({ page: p })} />
        </>
      )}

      {creating && (
        <NewClientDialog
          open
          onClose={() => setCreating(false)}
          onCreated={(client) => {
            setCreating(false);
            toast.show(t('clients.created', { name: client.name }), 'success');
            list.reload();
            channels.reload();
          }}
          stages={stages.data ?? []}
          users={users.data ?? []}
          channels={channels.data ?? []}
          currentUserId={me.id}
        />
      )}
    </div>
  );
}
