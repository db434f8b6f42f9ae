import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DataTable, ListState, RowActions } from '../../../components/ui/data-table';
import { Dialog } from '../../../components/ui/dialog';
import { ErrorAlert } from '../../../components/ui/error-alert';
import { useToast } from '../../../components/ui/toast';
import { useResource } from '../../../lib/use-resource';
import { useRowAction } from '../../../lib/use-row-action';
import { useLiveRefresh } from '../../../stores/realtime-store';
import {
  createWebhook,
  deleteWebhook,
  fetchWebhooks,
  sendTestEvent,
  updateWebhook,
  type Webhook,
} from '../api/webhooks-api';
import { DeliveryLog } from './delivery-log';
import { WebhookForm } from './webhook-form';
import { WebhookSecretDialog } from './webhook-secret-dialog';

/**
 * WebhooksSettings lists the organisation's webhook endpoints; adds them
 * (showing the new secret once), edits, turns off, deletes and tests them,
 * and opens one endpoint's delivery log at a time.
 */
export function WebhooksSettings() {
  const { t } = useTranslation();
  const toast = useToast();
  const hooks = useResource((signal) => fetchWebhooks(signal), []);
  useLiveRefresh(['webhook.changed'], hooks.refresh);
  const [editing, setEditing] = useState<Webhook | 'new' | null>(null);
  // The secret lives here only until its dialog closes: it cannot be shown again.
  const [secret, setSecret] = useState<string | null>(null);
  const [logOf, setLogOf] = useState<number | null>(null);
  const { busy, error, act } = useRowAction<number>();

  const toggle = (hook: Webhook) =>
    act(hook.id, async () => {
      const saved = await updateWebhook(hook.id, { enabled: !hook.enabled });
      hooks.setData((old) => (old ?? []).map((h) => (h.id === saved.id ? saved : h)));
    });

  const test = (hook: Webhook) =>
    act(hook.id, async () => {
      await sendTestEvent(hook.id);
      toast.show(t('integrations.webhooks.testQueued', { url: hook.url }), 'success');
      // The log shows the queued test at once.
      setLogOf(hook.id);
    });

  const remove = (hook: Webhook) => {
    if (!window.confirm(t('integrations.webhooks.confirmDelete', { url: hook.url }))) return;
    void act(hook.id, async () => {
      await deleteWebhook(hook.id);
      hooks.setData((old) => (old ?? []).filter((h) => h.id !== hook.id));
      if (logOf === hook.id) setLogOf(null);
      toast.show(t('integrations.webhooks.deleted'), 'success');
    });
  };

  const list = hooks.data;
  const logHook = list?.find((h) => h.id === logOf);
  return (
    <section aria-labelledby="webhooks-title">
      <div className="toolbar">
        <h2 id="webhooks-title" className="section-title toolbar__text">
          {t('integrations.webhooks.title')}
        </h2>
        <button type="button" className="btn btn--ghost btn--small" onClick={hooks.reload} disabled={hooks.loading}>
          {t('integrations.webhooks.refresh')}
        </button>
        <button type="button" className="btn btn--primary btn--small" onClick={() => setEditing('new')}>
          {t('integrations.webhooks.add')}
        </button>
      </div>
      <p className="muted small">{t('integrations.webhooks.help')}</p>
      <ErrorAlert error={error ?? (list ? hooks.error : null)} />
      <ListState items={list} error={hooks.error} empty={t('integrations.webhooks.empty')}>
        <DataTable
          aria-labelledby="webhooks-title"
          columns={[t('integrations.webhooks.url'), t('integrations.webhooks.events'), t('integrations.webhooks.status')]}
          actions
        >
          {list?.map((hook) => (
            <tr key={hook.id}>
              <th scope="row">
                <span className="mono">{hook.url}</span>
                {hook.description && <div className="muted small">{hook.description}</div>}
              </th>
              <td title={hook.event_types.join(', ') || undefined}>
                {hook.event_types.length === 0
                  ? t('integrations.webhooks.allEvents')
                  : hook.event_types.length <= 3
                    ? hook.event_types.join(', ')
                    : t('integrations.webhooks.eventsCount', { count: hook.event_types.length })}
              </td>
              <td className={hook.enabled ? 'status--ok' : 'muted'}>
                {hook.enabled ? t('integrations.webhooks.on') : t('integrations.webhooks.off')}
              </td>
              <RowActions onEdit={() => setEditing(hook)} onDelete={() => remove(hook)} deleteDisabled={busy === hook.id}>
                <button
                  type="button"
                  className="btn btn--ghost btn--small"
                  aria-expanded={logOf === hook.id}
                  onClick={() => setLogOf(logOf === hook.id ? null : hook.id)}
                >
                  {logOf === hook.id ? t('integrations.webhooks.hideLog') : t('integrations.webhooks.log')}
                </button>
                <button type="button" className="btn btn--ghost btn--small" disabled={busy === hook.id} onClick={() => void test(hook)}>
                  {t('integrations.webhooks.test')}
                </button>
                <button type="button" className="btn btn--ghost btn--small" disabled={busy === hook.id} onClick={() => void toggle(hook)}>
                  {hook.enabled ? t('integrations.webhooks.disable') : t('integrations.webhooks.enable')}
                </button>
              </RowActions>
            </tr>
          ))}
        </DataTable>
      </ListState>
      {logHook && <DeliveryLog key={logHook.id} webhook={logHook} />}
      {editing && (
        <Dialog
          open
          size="large"
          title={editing === 'new' ? t('integrations.webhooks.newTitle') : t('integrations.webhooks.editTitle')}
          onClose={() => setEditing(null)}
        >
          <WebhookForm
            webhook={editing === 'new' ? undefined : editing}
            onCancel={() => setEditing(null)}
            onSubmit={async (input) => {
              if (editing === 'new') {
                const created = await createWebhook(input);
                const { secret: once, ...rest } = created;
                hooks.setData((old) => [...(old ?? []).filter((h) => h.id !== rest.id), rest]);
                setSecret(once ?? null);
              } else {
                const saved = await updateWebhook(editing.id, input);
                hooks.setData((old) => (old ?? []).map((h) => (h.id === saved.id ? saved : h)));
              }
              setEditing(null);
              toast.show(t('integrations.webhooks.saved'), 'success');
            }}
          />
        </Dialog>
      )}
      {secret && <WebhookSecretDialog secret={secret} onClose={() => setSecret(null)} />}
    </section>
  );
}
