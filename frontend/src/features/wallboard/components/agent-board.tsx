import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { AGENT_STATES, type Presence } from '../../../lib/types';
import { countByState, formatDuration, sortPresence } from '../../presence/presence-state';

/**
 * AgentBoard shows how many users are in each state, then one tile per
 * user in the wallboard's order: name, state in words and colour, the
 * reason when away and the time in the state, counting up.
 */
export function AgentBoard({ items, now }: { items: readonly Presence[]; now: number }) {
  const { t, i18n } = useTranslation();
  const headingId = useId();
  const counts = countByState(items);
  const sorted = sortPresence(items, i18n.language);

  return (
    <section className="wallboard__section wallboard__agents" aria-labelledby={headingId}>
      <h2 id={headingId} className="wallboard__heading">
        {t('wallboard.agents')}
      </h2>
      <ul className="state-counts" aria-label={t('wallboard.byState')}>
        {AGENT_STATES.map((state) => (
          <li key={state} className={`state-count state--${state}${counts[state] === 0 ? ' state-count--zero' : ''}`}>
            <span className="state-count__value">{counts[state]}</span>
            <span className="state-count__label">
              <span className="state-dot" aria-hidden="true" />
              {t(`wallboard.counts.${state}`)}
            </span>
          </li>
        ))}
      </ul>
      {sorted.length === 0 ? (
        <p className="empty">{t('wallboard.noAgents')}</p>
      ) : (
        <ul className="agent-tiles" aria-labelledby={headingId}>
          {sorted.map((p) => (
            <AgentTile key={p.user_id} presence={p} now={now} />
          ))}
        </ul>
      )}
    </section>
  );
}

function AgentTile({ presence: p, now }: { presence: Presence; now: number }) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const reason = p.state === 'away' && p.reason ? p.reason : '';
  const time = formatDuration(now - Date.parse(p.since), i18n.language);
  return (
    <li className={`agent-tile state--${p.state}`} aria-labelledby={`${id}-n ${id}-s${reason ? ` ${id}-r` : ''} ${id}-t`}>
      <span id={`${id}-n`} className="agent-tile__name" title={p.name}>
        {p.name}
      </span>
      <span className="agent-tile__state">
        <span className="state-dot" aria-hidden="true" />
        <span id={`${id}-s`}>{t(`presence.states.${p.state}`)}</span>
        {reason && (
          <span id={`${id}-r`} className="agent-tile__reason" title={reason}>
            {reason}
          </span>
        )}
      </span>
      <span id={`${id}-t`} className="agent-tile__time">
        <span className="visually-hidden">{t('wallboard.inState', { time })}</span>
        <span aria-hidden="true">{time}</span>
      </span>
    </li>
  );
}
