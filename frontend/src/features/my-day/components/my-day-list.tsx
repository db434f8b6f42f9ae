import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { formatDateTimeShort } from '../../../lib/format';
import { localizeReason } from '../../../lib/rule-reason';
import type { Client, Stage, User } from '../../../lib/types';
import { formatDuration } from '../../presence/presence-state';
import type { MyDayItem, MyDaySection } from '../api/my-day-api';
import { NextActionForm } from './next-action-form';
import '../my-day.css';

/** SECTION_RANK is the seed's order of the day: callbacks and cooling soon, then cooled, then in progress, then new. */
const SECTION_RANK: Record<MyDaySection, number> = { callback: 1, cooling_soon: 1, cooled: 2, in_progress: 3, new: 4 };

/**
 * orderDay puts a day in the seed's order. The server already sends it so;
 * within a rank the server's order (oldest first, by next action) stays.
 */
export function orderDay(items: readonly MyDayItem[]): MyDayItem[] {
  return items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => (SECTION_RANK[a.item.section] ?? 9) - (SECTION_RANK[b.item.section] ?? 9) || a.i - b.i)
    .map((x) => x.item);
}

interface MyDayListProps {
  items: readonly MyDayItem[];
  stages: readonly Stage[];
  users: readonly User[];
  now: number;
  /** The Call button of a row (the softphone's click-to-call). */
  renderCall?: (client: Client) => ReactNode;
  /** A client changed by a quick action (its next action date). */
  onClientChanged: (client: Client) => void;
}

/** MyDayList is an agent's day, one row per client in the order the day is worked. */
export function MyDayList({ items, stages, users, now, renderCall, onClientChanged }: MyDayListProps) {
  const { t } = useTranslation();
  const ordered = orderDay(items);
  if (ordered.length === 0) return <p className="empty">{t('rulesEngine.myDay.empty')}</p>;
  return (
    <ol className="my-day" aria-label={t('rulesEngine.myDay.listLabel')}>
      {ordered.map((item) => (
        <MyDayRow
          key={item.client.id}
          item={item}
          stage={stages.find((s) => s.id === item.client.stage_id)}
          owner={users.find((u) => u.id === item.client.owner_id)}
          now={now}
          renderCall={renderCall}
          onClientChanged={onClientChanged}
        />
      ))}
    </ol>
  );
}

interface MyDayRowProps {
  item: MyDayItem;
  stage: Stage | undefined;
  owner: User | undefined;
  now: number;
  renderCall?: (client: Client) => ReactNode;
  onClientChanged: (client: Client) => void;
}

function MyDayRow({ item, stage, owner, now, renderCall, onClientChanged }: MyDayRowProps) {
  const { t, i18n } = useTranslation();
  const [editing, setEditing] = useState(false);
  const c = item.client;
  const why = item.reason ? localizeReason(item.reason, t) : whyWithoutReason(item, t, i18n.language);
  return (
    <li className={`my-day__row my-day__row--${item.section}`} aria-label={c.name} data-section={item.section} data-client-id={c.id}>
      <div className="my-day__main">
        <span className={`my-day__section my-day__section--${item.section}`}>{t(`rulesEngine.section.${item.section}`)}</span>
        <Link to={`/clients/${c.id}`} className="my-day__name">
          {c.name}
        </Link>
        {c.company && <span className="muted my-day__company">{c.company}</span>}
      </div>
      <div className="my-day__facts">
        {stage && <span className={`stage-pill stage-pill--${stage.kind}`}>{stage.name}</span>}
        <span className="my-day__why" data-testid="my-day-reason">
          {why}
        </span>
        <span className="muted small">
          {t('rulesEngine.myDay.owner')}: {owner?.name ?? t('rulesEngine.noOwner')}
        </span>
        <span className="muted small">{age(item, now, t, i18n.language)}</span>
      </div>
      <div className="my-day__actions row-actions">
        {renderCall?.(c)}
        <button type="button" className="btn btn--secondary btn--small" aria-expanded={editing} onClick={() => setEditing(!editing)}>
          {t('rulesEngine.nextAction.set')}
        </button>
        <Link to={`/clients/${c.id}`} className="btn btn--ghost btn--small">
          {t('rulesEngine.myDay.open')}
        </Link>
      </div>
      {editing && (
        <NextActionForm
          client={c}
          autoFocus
          onCancel={() => setEditing(false)}
          onSaved={(updated) => {
            setEditing(false);
            onClientChanged(updated);
          }}
        />
      )}
    </li>
  );
}

type T = ReturnType<typeof useTranslation>['t'];

/** whyWithoutReason says why a client in progress or a new one is on the day. */
function whyWithoutReason(item: MyDayItem, t: T, lng: string): string {
  const c = item.client;
  if (item.section === 'new') return t('rulesEngine.myDay.whyNew');
  if (c.next_action_at) return t('rulesEngine.myDay.whyNextAction', { at: formatDateTimeShort(c.next_action_at, lng) });
  return t('rulesEngine.myDay.whyInProgress', { count: c.contacts });
}

/** age says how long the row's reason has held (or, for cooling soon, how long is left). */
function age(item: MyDayItem, now: number, t: T, lng: string): string {
  const c = item.client;
  const since = (iso: string | null | undefined) => formatDuration(now - Date.parse(iso ?? ''), lng);
  switch (item.section) {
    case 'cooling_soon':
      return c.cools_at ? t('rulesEngine.age.coolsIn', { time: formatDuration(Date.parse(c.cools_at) - now, lng) }) : '';
    case 'cooled':
      return c.cools_at ? t('rulesEngine.age.cooledFor', { time: since(c.cools_at) }) : '';
    case 'callback':
      return c.next_action_at && Date.parse(c.next_action_at) <= now
        ? t('rulesEngine.age.dueFor', { time: since(c.next_action_at) })
        : t('rulesEngine.age.inStage', { time: since(c.stage_entered_at) });
    case 'new':
      return t('rulesEngine.age.createdAgo', { time: since(c.created_at) });
    default:
      return t('rulesEngine.age.inStage', { time: since(c.stage_entered_at) });
  }
}
