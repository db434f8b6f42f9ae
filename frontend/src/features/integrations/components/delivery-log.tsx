import { useEffect, useId } from 'react';
import { useTranslation } from 'react-i18next';
import { DataTable, ListState, RowActions } from '../../../components/ui/data-table';
import { ErrorAlert } from '../../../components/ui/error-alert';
import { useToast } from '../../../components/ui/toast';
import { formatDateTimeShort } from '../../../lib/format';
import { useResource } from '../../../lib/use-resource';
import { useRowAction } from '../../../lib/use-row-action';
import { useLiveRefresh } from '../../../stores/realtime-store';
import { fetchDeliveries, resendDelivery, type Webhook, type WebhookDelivery } from '../api/webhooks-api';

/** POLL_MS: deliveries write no events, so the log looks again while some are still pending. */
export const DELIVERY_POLL_MS = 5000;

const STATUS_CLASS: Record<WebhookDelivery['status'], string> = {
  pending: 'status--pending',
  delivered: 'status--ok',
  failed: 'status--failed',
};

interface DeliveryLogProps {
  webhook: Webhook;
}

/**
 * DeliveryLog is an endpoint's latest deliveries: event, sequence, status,
 * attempts, the last answer (HTTP status or error), its time, when it is
 * tried next, and "resend" for each.
 */
export function DeliveryLog({ webhook }: DeliveryLogProps) {
  const { t, i18n } = useTranslation();
  const toast = useToast();
  const titleId = useId();
  const log = useResource((signal) => fetchDeliveries(webhook.id, signal), [webhook.id]);
  const { busy: resending, error, act } = useRowAction<number>();
  useLiveRefresh(['webhook.changed'], log.refresh, { filter: (m) => m.data.id === webhook.id });

  const anyPending = log.data?.some((d) => d.status === 'pending') ?? false;
  const { refresh } = log;
  useEffect(() => {
    if (!anyPending) return undefined;
    const timer = setInterval(refresh, DELIVERY_POLL_MS);
    return () => clearInterval(timer);
  }, [anyPending, refresh]);

  const resend = (d: WebhookDelivery) =>
    act(d.id, async () => {
      const queued = await resendDelivery(webhook.id, d.id);
      log.setData((old) => (old ?? []).map((x) => (x.id === queued.id ? queued : x)));
      toast.show(t('integrations.deliveries.resent'), 'success');
    });

  const answer = (d: WebhookDelivery) =>
    [d.last_status !== null ? `HTTP ${d.last_status}` : d.attempts > 0 && !d.last_error ? t('integrations.deliveries.noAnswer') : '', d.last_error]
      .filter(Boolean)
      .join(' — ');

  return (
    <section className="delivery-log" aria-labelledby={titleId}>
      <div className="toolbar">
        <h3 id={titleId} className="section-title toolbar__text">
          {t('integrations.deliveries.title', { url: webhook.url })}
        </h3>
        <button type="button" className="btn btn--ghost btn--small" onClick={log.reload} disabled={log.loading}>
          {t('integrations.deliveries.refresh')}
        </button>
      </div>
      <ErrorAlert error={error ?? (log.data ? log.error : null)} />
      <ListState items={log.data} error={log.error} empty={t('integrations.deliveries.empty')}>
        <DataTable
          wrapClassName="table-wrap--scroll"
          aria-labelledby={titleId}
          aria-busy={log.loading}
          columns={[
            t('integrations.deliveries.event'),
            { label: t('integrations.deliveries.seq'), className: 'num' },
            t('integrations.deliveries.status'),
            { label: t('integrations.deliveries.attempts'), className: 'num' },
            t('integrations.deliveries.answer'),
            { label: t('integrations.deliveries.latency'), className: 'num' },
            t('integrations.deliveries.nextAttempt'),
          ]}
          actions
        >
          {log.data?.map((d) => (
            <tr key={d.id}>
              <th scope="row" className="mono">
                {d.event_type}
              </th>
              <td className="num">{d.event_seq ?? t('common.none')}</td>
              <td className={STATUS_CLASS[d.status]}>{t(`integrations.deliveries.statuses.${d.status}`)}</td>
              <td className="num">{d.attempts}</td>
              <td className="small" title={d.last_response || undefined}>
                {answer(d) || t('common.none')}
              </td>
              <td className="num">
                {d.last_latency_ms !== null ? t('integrations.deliveries.latencyMs', { ms: d.last_latency_ms }) : t('common.none')}
              </td>
              <td>{d.next_attempt_at ? formatDateTimeShort(d.next_attempt_at, i18n.language) : t('common.none')}</td>
              <RowActions>
                <button
                  type="button"
                  className="btn btn--ghost btn--small"
                  onClick={() => void resend(d)}
                  disabled={resending === d.id}
                  aria-label={`${t('integrations.deliveries.resend')}: ${d.event_type}${d.event_seq !== null ? ` #${d.event_seq}` : ''}`}
                >
                  {t('integrations.deliveries.resend')}
                </button>
              </RowActions>
            </tr>
          ))}
        </DataTable>
      </ListState>
    </section>
  );
}
