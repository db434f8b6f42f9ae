import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/ui/error-alert';
import { Loading } from '../../../components/ui/loading';
import { formatDateTime } from '../../../lib/format';
import type { Transition } from '../../../lib/types';

/** Reasons the server writes by itself; shown in words instead of as they are. */
const STAGE_DELETED = /^stage "(.*)" deleted$/;

function useReasonText() {
  const { t } = useTranslation();
  return (reason: string): string => {
    if (reason === 'created' || reason === 'imported') return '';
    const deleted = STAGE_DELETED.exec(reason);
    if (deleted) return t('client.history.stageDeleted', { name: deleted[1] });
    return reason;
  };
}

interface StageHistoryProps {
  transitions: Transition[] | undefined;
  loading: boolean;
  error: unknown;
}

/** StageHistory lists the client's moves between stages, newest first: from → to, who, when and why. */
export function StageHistory({ transitions, loading, error }: StageHistoryProps) {
  const { t, i18n } = useTranslation();
  const titleId = useId();
  const reasonText = useReasonText();
  const items = transitions ? [...transitions].reverse() : [];
  return (
    <section className="panel" aria-labelledby={titleId}>
      <h2 id={titleId} className="panel__title">
        {t('client.history.title')}
      </h2>
      {error ? <ErrorAlert error={error} /> : null}
      {loading && !transitions ? <Loading /> : null}
      {transitions && items.length === 0 && <p className="muted">{t('client.history.empty')}</p>}
      {items.length > 0 && (
        <ol className="history" aria-labelledby={titleId}>
          {items.map((tr) => (
            <li key={tr.id} className="history__item">
              <div className="history__move">
                {tr.from_stage_id === null && !tr.from_stage_name ? (
                  <span>
                    {t(tr.reason === 'imported' ? 'client.history.imported' : 'client.history.created', {
                      stage: tr.to_stage_name,
                    })}
                  </span>
                ) : (
                  <>
                    <span className="history__stage">{tr.from_stage_name}</span>
                    <span className="history__arrow" aria-label={t('client.history.to')}>
                      {' → '}
                    </span>
                    <span className="history__stage">{tr.to_stage_name}</span>
                  </>
                )}
              </div>
              <div className="history__meta muted small">
                <span>{tr.actor_id === null ? t('client.history.system') : tr.actor_name}</span>
                {' · '}
                <time dateTime={tr.created_at}>{formatDateTime(tr.created_at, i18n.language)}</time>
              </div>
              {reasonText(tr.reason) && (
                <div className="history__reason">
                  <span className="muted small">{t('client.history.reason')}: </span>
                  {reasonText(tr.reason)}
                </div>
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
