import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert, errorDetail } from '../../../components/ui/error-alert';
import { Loading } from '../../../components/ui/loading';
import { useToast } from '../../../components/ui/toast';
import { formatDateTimeShort } from '../../../lib/format';
import { localizeReason } from '../../../lib/rule-reason';
import type { ClientID, RuleAction } from '../../../lib/types';
import { useResource } from '../../../lib/use-resource';
import { useLiveRefresh } from '../../../stores/realtime-store';
import { fetchClientActions, undoRuleAction } from '../api/rules-api';
import '../rules.css';

/** useClientActions is a client's automatic actions, fetched again when the engine acts on that client. */
export function useClientActions(clientId: ClientID) {
  const res = useResource((signal) => fetchClientActions(clientId, signal), [clientId]);
  useLiveRefresh(['rule.action'], res.refresh, { filter: (m) => m.data.client_id === clientId });
  return res;
}

interface ClientAutomaticActionsProps {
  clientId: ClientID;
  /** Supervisors may undo an action. */
  canUndo: boolean;
  /** Told after an undo, so the card shows the client as it is again. */
  onUndone?: (action: RuleAction) => void;
}

/**
 * ClientAutomaticActions is the client's history of what the rules engine
 * did on its own (and supervisors' zombie decisions): the rule, the action,
 * the reason with its numbers and when; newest first. A supervisor can undo.
 */
export function ClientAutomaticActions({ clientId, canUndo, onUndone }: ClientAutomaticActionsProps) {
  const { t, i18n } = useTranslation();
  const toast = useToast();
  const titleId = useId();
  const actions = useClientActions(clientId);
  const [undoing, setUndoing] = useState<number | null>(null);
  const list = [...(actions.data ?? [])].reverse();

  const undo = async (a: RuleAction) => {
    setUndoing(a.id);
    try {
      const done = await undoRuleAction(a.id);
      actions.setData((old) => (old ?? []).map((x) => (x.id === done.id ? done : x)));
      toast.show(t('rulesEngine.actions.undoneToast'), 'success');
      onUndone?.(done);
    } catch (err) {
      toast.show(`${t('rulesEngine.actions.undoFailed')} ${errorDetail(err)}`.trim(), 'error');
    } finally {
      setUndoing(null);
    }
  };

  return (
    <section className="panel" aria-labelledby={titleId}>
      <h2 id={titleId} className="panel__title">
        {t('rulesEngine.actions.title')}
      </h2>
      {!actions.data && <ErrorAlert error={actions.error} />}
      {actions.loading && !actions.data ? (
        <Loading />
      ) : list.length === 0 ? (
        <p className="muted">{t('rulesEngine.actions.none')}</p>
      ) : (
        <ul className="rule-actions" aria-label={t('rulesEngine.actions.title')}>
          {list.map((a) => (
            <li key={a.id} className={a.undone_at ? 'rule-actions__item rule-actions__item--undone' : 'rule-actions__item'} data-rule-action-id={a.id}>
              <div className="rule-actions__head">
                <strong>
                  {t(`rulesEngine.actions.rule.${a.rule}`)}: {t(`rulesEngine.actions.action.${a.action}`)}
                </strong>
                <time className="muted small" dateTime={a.created_at}>
                  {formatDateTimeShort(a.created_at, i18n.language)}
                </time>
              </div>
              <span className="rule-actions__reason">{localizeReason(a.reason, t)}</span>
              {a.undone_at ? (
                <span className="muted small">{t('rulesEngine.actions.undoneAt', { at: formatDateTimeShort(a.undone_at, i18n.language) })}</span>
              ) : (
                canUndo && (
                  <span>
                    <button type="button" className="btn btn--ghost btn--small" disabled={undoing !== null} onClick={() => void undo(a)}>
                      {undoing === a.id ? t('rulesEngine.actions.undoing') : t('rulesEngine.actions.undo')}
                    </button>
                  </span>
                )
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
