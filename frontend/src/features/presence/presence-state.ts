// Pure helpers of the agents' presence: applying live changes, the
// wallboard's order and counts, and how long someone has been in a state.
import { AGENT_STATES, type AgentState, type Presence } from '../../lib/types';

/**
 * applyPresence puts one user's new state into the list: it replaces their
 * entry, or adds it for a user the list did not have yet. A change older
 * than the one shown (a late answer) is ignored.
 */
export function applyPresence(list: readonly Presence[], p: Presence): Presence[] {
  const i = list.findIndex((x) => x.user_id === p.user_id);
  if (i < 0) return [...list, p];
  const old = list[i] as Presence;
  if (Date.parse(old.since) > Date.parse(p.since)) return list as Presence[];
  const out = list.slice();
  out[i] = p;
  return out;
}

/**
 * keepNewerPresence takes a fetched list but keeps, for each user, the
 * state shown when it is newer than the fetched one: a live change applied
 * while the list was being fetched stays.
 */
export function keepNewerPresence(fetched: readonly Presence[], shown: readonly Presence[] | undefined): Presence[] {
  if (!shown) return fetched as Presence[];
  const byUser = new Map(shown.map((p) => [p.user_id, p]));
  return fetched.map((p) => {
    const s = byUser.get(p.user_id);
    return s && Date.parse(s.since) > Date.parse(p.since) ? { ...p, state: s.state, reason: s.reason, since: s.since } : p;
  });
}

const rank = new Map(AGENT_STATES.map((s, i) => [s, i]));

/**
 * sortPresence orders users by state (available, ringing, on call, wrap-up,
 * away, offline), then, within a state, the longest in it first, then by
 * name.
 */
export function sortPresence(list: readonly Presence[], locale = 'ru'): Presence[] {
  return [...list].sort(
    (a, b) =>
      (rank.get(a.state) ?? 99) - (rank.get(b.state) ?? 99) ||
      Date.parse(a.since) - Date.parse(b.since) ||
      a.name.localeCompare(b.name, locale),
  );
}

/** countByState counts users per state; every state is present, 0 when nobody is in it. */
export function countByState(list: readonly Presence[]): Record<AgentState, number> {
  const counts = Object.fromEntries(AGENT_STATES.map((s) => [s, 0])) as Record<AgentState, number>;
  for (const p of list) if (p.state in counts) counts[p.state]++;
  return counts;
}

const UNITS = {
  ru: { d: 'д', h: 'ч', m: 'мин', s: 'с' },
  en: { d: 'd', h: 'h', m: 'min', s: 's' },
} as const;

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * formatDuration shows a time in state with its two largest units, the
 * second zero-padded so that a ticking value keeps its width:
 * "42 с", "3 мин 05 с", "1 ч 03 мин", "2 д 04 ч" (English: "3 min 05 s").
 * A negative span (clocks apart) counts as 0.
 */
export function formatDuration(ms: number, lng: string): string {
  const u = lng.startsWith('ru') ? UNITS.ru : UNITS.en;
  const total = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (d > 0) return `${d} ${u.d} ${pad(h)} ${u.h}`;
  if (h > 0) return `${h} ${u.h} ${pad(m)} ${u.m}`;
  if (m > 0) return `${m} ${u.m} ${pad(s)} ${u.s}`;
  return `${s} ${u.s}`;
}
