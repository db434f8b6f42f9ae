import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ErrorAlert, errorDetail } from '../../../components/ui/error-alert';
import { SelectField } from '../../../components/ui/form-field';
import { Loading } from '../../../components/ui/loading';
import { useToast } from '../../../components/ui/toast';
import { localizeReason } from '../../../lib/rule-reason';
import type { User, UserID, WorkItem, WorkItemKind } from '../../../lib/types';
import { formatDuration } from '../../presence/presence-state';
import { decideWorkItem, reassignWorkItems, WORK_QUEUES, ZOMBIE_DECISIONS, type QueueCount, type ZombieDecision } from '../api/work-queues-api';
import { useWorkItems } from '../hooks/use-work-items';
import '../work-queues.css';

/** DECISION_KEYS: a focused zombie row is decided with one key (by position on the keyboard, any layout). */
const DECISION_KEYS: Record<string, ZombieDecision> = { KeyK: 'keep', KeyH: 'handoff', KeyR: 'reject', Digit1: 'keep', Digit2: 'handoff', Digit3: 'reject' };

interface WorkQueuesProps {
  kind: WorkItemKind;
  ownerId: UserID | null;
  users: readonly User[];
  now: number;
  onKindChange: (kind: WorkItemKind) => void;
  onOwnerChange: (owner: UserID | null) => void;
}

/**
 * WorkQueues is the supervisors' view of every queue (callbacks, cooling
 * soon, cooled, zombies for decision) with counts, ages and owners; items
 * are reassigned in bulk, and a zombie is decided in one click or key.
 */
export function WorkQueues({ kind, ownerId, users, now, onKindChange, onOwnerChange }: WorkQueuesProps) {
  const { t, i18n } = useTranslation();
  const toast = useToast();
  const list = useWorkItems(kind, ownerId);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [target, setTarget] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [deciding, setDeciding] = useState<number | null>(null);
  const tableId = useId();

  const items = list.data?.items ?? [];
  const itemKey = items.map((w) => w.id).join(',');
  // Selection keeps only items still in the list.
  useEffect(() => {
    setSelected((old) => new Set([...old].filter((id) => items.some((w) => w.id === id))));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [itemKey]);
  useEffect(() => setSelected(new Set()), [kind, ownerId]);

  const activeUsers = users.filter((u) => u.active);
  const allSelected = items.length > 0 && items.every((w) => selected.has(w.id));
  const toggle = (id: number) =>
    setSelected((old) => {
      const next = new Set(old);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const reassign = async () => {
    if (!target || selected.size === 0) return;
    setPending(true);
    setError(null);
    try {
      const moved = await reassignWorkItems([...selected], Number(target));
      const name = activeUsers.find((u) => u.id === Number(target))?.name ?? '';
      toast.show(t('rulesEngine.queues.reassigned', { count: moved.length, name }), 'success');
      setSelected(new Set());
      list.refresh();
    } catch (err) {
      setError(err);
    } finally {
      setPending(false);
    }
  };

  const decide = async (w: WorkItem, decision: ZombieDecision) => {
    if (deciding !== null) return;
    setDeciding(w.id);
    try {
      await decideWorkItem(w.id, decision);
      list.setData((old) =>
        old
          ? {
              items: old.items.filter((x) => x.id !== w.id),
              counts: old.counts.map((c) => (c.kind === w.kind ? { ...c, count: Math.max(0, c.count - 1) } : c)),
            }
          : { items: [], counts: [] },
      );
      toast.show(t(`rulesEngine.queues.decided.${decision}`, { name: w.client_name }), 'success');
      list.refresh();
    } catch (err) {
      toast.show(`${t('rulesEngine.queues.decisionFailed')} ${errorDetail(err)}`.trim(), 'error');
    } finally {
      setDeciding(null);
    }
  };

  const onRowKey = (e: KeyboardEvent<HTMLTableRowElement>, w: WorkItem) => {
    if (kind !== 'zombie' || e.target !== e.currentTarget || e.altKey || e.ctrlKey || e.metaKey) return;
    const decision = DECISION_KEYS[e.code];
    if (!decision) return;
    e.preventDefault();
    void decide(w, decision);
  };

  return (
    <div className="work-queues">
      <QueueTabs counts={list.data?.counts ?? []} kind={kind} now={now} onChange={onKindChange} />
      <div className="toolbar work-queues__toolbar">
        <SelectField label={t('rulesEngine.queues.owner')} value={ownerId === null ? '' : String(ownerId)} onChange={(v) => onOwnerChange(v ? Number(v) : null)}>
          <option value="">{t('rulesEngine.queues.anyOwner')}</option>
          {activeUsers.map((u) => (
            <option key={u.id} value={String(u.id)}>
              {u.name}
            </option>
          ))}
        </SelectField>
        <div className="work-queues__bulk" role="group" aria-label={t('rulesEngine.queues.bulk')}>
          <SelectField label={t('rulesEngine.queues.reassignTo')} value={target} onChange={setTarget}>
            <option value="">{t('rulesEngine.queues.chooseAgent')}</option>
            {activeUsers.map((u) => (
              <option key={u.id} value={String(u.id)}>
                {u.name}
              </option>
            ))}
          </SelectField>
          <button type="button" className="btn btn--primary" disabled={pending || !target || selected.size === 0} onClick={() => void reassign()}>
            {t('rulesEngine.queues.reassign', { count: selected.size })}
          </button>
        </div>
      </div>
      <ErrorAlert error={error} />
      {!list.data && <ErrorAlert error={list.error} />}
      {kind === 'zombie' && items.length > 0 && <p className="muted small">{t('rulesEngine.queues.keysHint')}</p>}
      {list.loading && !list.data ? (
        <Loading />
      ) : items.length === 0 ? (
        <p className="empty">{t(`rulesEngine.queues.empty.${kind}`)}</p>
      ) : (
        <div className="table-wrap">
          <table className="table" id={tableId} aria-label={t(`rulesEngine.queue.${kind}`)}>
            <thead>
              <tr>
                <th scope="col">
                  <input
                    type="checkbox"
                    className="checkbox"
                    checked={allSelected}
                    aria-label={t('rulesEngine.queues.selectAll')}
                    onChange={() => setSelected(allSelected ? new Set() : new Set(items.map((w) => w.id)))}
                  />
                </th>
                <th scope="col">{t('rulesEngine.queues.client')}</th>
                <th scope="col">{t('rulesEngine.queues.reason')}</th>
                <th scope="col">{t('rulesEngine.queues.owner')}</th>
                <th scope="col">{t('rulesEngine.queues.age')}</th>
                {kind === 'zombie' && <th scope="col">{t('rulesEngine.queues.decision')}</th>}
              </tr>
            </thead>
            <tbody>
              {items.map((w) => (
                <tr
                  key={w.id}
                  data-work-item-id={w.id}
                  aria-label={w.client_name}
                  tabIndex={kind === 'zombie' ? 0 : undefined}
                  onKeyDown={(e) => onRowKey(e, w)}
                  className={deciding === w.id ? 'work-queues__row--pending' : undefined}
                >
                  <td>
                    <input
                      type="checkbox"
                      className="checkbox"
                      checked={selected.has(w.id)}
                      aria-label={t('rulesEngine.queues.select', { name: w.client_name })}
                      onChange={() => toggle(w.id)}
                    />
                  </td>
                  <td>
                    <Link to={`/clients/${w.client_id}`}>{w.client_name}</Link>
                  </td>
                  <td>{localizeReason(w.reason, t)}</td>
                  <td>{w.owner_name || t('rulesEngine.noOwner')}</td>
                  <td className="nowrap">{formatDuration(now - Date.parse(w.created_at), i18n.language)}</td>
                  {kind === 'zombie' && (
                    <td>
                      <div className="row-actions">
                        {ZOMBIE_DECISIONS.map((d) => (
                          <button
                            key={d}
                            type="button"
                            className={d === 'reject' ? 'btn btn--danger-ghost btn--small' : 'btn btn--secondary btn--small'}
                            disabled={deciding !== null}
                            aria-label={t(`rulesEngine.queues.decide.${d}Label`, { name: w.client_name })}
                            onClick={() => void decide(w, d)}
                          >
                            {t(`rulesEngine.queues.decide.${d}`)}
                          </button>
                        ))}
                      </div>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/** QueueTabs picks a queue; each shows its open count and how old its oldest item is. */
function QueueTabs({ counts, kind, now, onChange }: { counts: readonly QueueCount[]; kind: WorkItemKind; now: number; onChange: (k: WorkItemKind) => void }) {
  const { t, i18n } = useTranslation();
  return (
    <div className="tabs work-queues__tabs" role="tablist" aria-label={t('rulesEngine.queues.label')}>
      {WORK_QUEUES.map((k) => {
        const c = counts.find((x) => x.kind === k);
        return (
          <button
            key={k}
            type="button"
            role="tab"
            aria-selected={k === kind}
            className={k === kind ? 'tab tab--active work-queues__tab' : 'tab work-queues__tab'}
            data-queue={k}
            onClick={() => onChange(k)}
          >
            <span>{t(`rulesEngine.queue.${k}`)}</span>
            <span className="counter" data-testid={`queue-count-${k}`}>
              {c?.count ?? '—'}
            </span>
            {c?.oldest_at && (
              <span className="muted small">{t('rulesEngine.queues.oldest', { time: formatDuration(now - Date.parse(c.oldest_at), i18n.language) })}</span>
            )}
          </button>
        );
      })}
    </div>
  );
}
