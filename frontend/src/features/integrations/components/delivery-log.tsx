import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/ui/error-alert';
import { Loading } from '../../../components/ui/loading';
import { useToast } from '../../../components/ui/toast';
import { formatDateTimeShort } from '../../../lib/format';
import { useResource } from '../../../lib/use-resource';
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
  const [error, setError] = useState<unknown>(null);
  const [resending, setResending] = useState<number | null>(null);
  useLiveRefresh(['webhook.changed'], log.refresh, { filter: (m) => m.data.id === webhook.id });

  const anyPending = log.data?.some((d) => d.status === 'pending') ?? false;
  const { refresh } = log;
  useEffect(() => {
    if (!anyPending) return undefined;
    const timer = setInterval(refresh, DELIVERY_POLL_MS);
    return () => clearInterval(timer);
  }, [anyPending, refresh]);

  const resend = async (d: WebhookDelivery) => {
    setError(null);
    setResending(d.id);
    try {
      const queued = await resendDelivery(webhook.id, d.id);
      log.setData((old) => (old ?? []).map((x) => (x.id === queued.id ? queued : x)));
      toast.show(t('integrations.deliveries.resent'), 'success');
    } catch (err) {
      setError(err);
    } finally {
      setResending(null);
    }
  };

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
      {!log.data ? (
        log.error ? (
          <ErrorAlert error={log.error} />
        ) : (
          <Loading />
        )
      ) : log.data.length === 0 ? (
        <p className="muted">{t('integrations.deliveries.empty')}</p>
      ) : (
        <div className="table-wrap table-wrap--scroll">
          <table className="table" aria-labelledby={titleId} aria-busy={log.loading}>
            <thead>
              <tr>
                <th scope="col">{t('integrations.deliveries.event')}</th>
                <th scope="col" className="num">
                  {t('integrations.deliveries.seq')}
                </th>
                <th scope="col">{t('integrations.deliveries.status')}</th>
                <th scope="col" className="num">
                  {t('integrations.deliveries.attempts')}
                </th>
                <th scope="col">{t('integrations.deliveries.answer')}</th>
                <th scope="col" className="num">
                  {t('integrations.deliveries.latency')}
                </th>
                <th scope="col">{t('integrations.deliveries.nextAttempt')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {log.data.map((d) => (
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
                  <td className="row-actions">
                    <button
                      type="button"
                      className="btn btn--ghost btn--small"
                      onClick={() => void resend(d)}
                      disabled={resending === d.id}
                      aria-label={`${t('integrations.deliveries.resend')}: ${d.event_type}${d.event_seq !== null ? ` #${d.event_seq}` : ''}`}
                    >
                      {t('integrations.deliveries.resend')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
