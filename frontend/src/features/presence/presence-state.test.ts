import { describe, expect, it } from 'vitest';
import type { Presence } from '../../lib/types';
import { applyPresence, countByState, formatDuration, keepNewerPresence, sortPresence } from './presence-state';

const p = (user_id: number, name: string, state: Presence['state'], since = '2026-03-02T09:00:00Z', reason = ''): Presence => ({
  user_id,
  name,
  role: 'agent',
  state,
  reason,
  since,
});

describe('applyPresence', () => {
  it('replaces the user’s entry', () => {
    const list = [p(1, 'Анна', 'offline'), p(2, 'Борис', 'available')];
    const next = applyPresence(list, p(1, 'Анна', 'away', '2026-03-02T09:05:00Z', 'Обед'));
    expect(next.map((x) => [x.user_id, x.state, x.reason])).toEqual([
      [1, 'away', 'Обед'],
      [2, 'available', ''],
    ]);
    expect(list[0]?.state).toBe('offline');
  });

  it('adds a user it did not know', () => {
    expect(applyPresence([p(1, 'Анна', 'offline')], p(3, 'Вера', 'available')).map((x) => x.user_id)).toEqual([1, 3]);
  });

  it('ignores a change older than the one shown', () => {
    const list = [p(1, 'Анна', 'available', '2026-03-02T09:05:00Z')];
    expect(applyPresence(list, p(1, 'Анна', 'offline', '2026-03-02T09:00:00Z'))).toBe(list);
  });
});

describe('keepNewerPresence', () => {
  it('keeps a live change newer than the fetched state, and takes the rest of the answer', () => {
    // Борис went available (a live event) while the list was being fetched.
    const shown = [p(1, 'Анна', 'away', '2026-03-02T09:00:00Z', 'Обед'), p(2, 'Борис', 'available', '2026-03-02T09:10:00Z')];
    const fetched = [
      p(1, 'Анна Петровна', 'available', '2026-03-02T09:05:00Z'),
      p(2, 'Борис Ильич', 'offline', '2026-03-02T09:00:00Z'),
      p(3, 'Вера', 'offline'),
    ];
    expect(keepNewerPresence(fetched, shown).map((x) => [x.name, x.state, x.since])).toEqual([
      ['Анна Петровна', 'available', '2026-03-02T09:05:00Z'],
      ['Борис Ильич', 'available', '2026-03-02T09:10:00Z'],
      ['Вера', 'offline', '2026-03-02T09:00:00Z'],
    ]);
  });

  it('takes the answer as it is when nothing is shown, and drops users it no longer has', () => {
    const fetched = [p(1, 'Анна', 'available')];
    expect(keepNewerPresence(fetched, undefined)).toBe(fetched);
    expect(keepNewerPresence(fetched, [p(2, 'Борис', 'available', '2026-03-02T10:00:00Z')]).map((x) => x.user_id)).toEqual([1]);
  });
});

describe('sortPresence and countByState', () => {
  const list = [
    p(1, 'Яна', 'offline'),
    p(2, 'Борис', 'away', '2026-03-02T09:00:00Z', 'Обед'),
    p(3, 'Вера', 'available', '2026-03-02T09:10:00Z'),
    p(4, 'Анна', 'on_call'),
    p(5, 'Глеб', 'available', '2026-03-02T09:01:00Z'),
    p(6, 'Дина', 'wrap_up'),
    p(7, 'Егор', 'ringing'),
  ];

  it('orders available, ringing, on a call, wrap-up, away, offline; longest in a state first', () => {
    expect(sortPresence(list).map((x) => x.name)).toEqual(['Глеб', 'Вера', 'Егор', 'Анна', 'Дина', 'Борис', 'Яна']);
  });

  it('orders by name when the times are equal', () => {
    expect(sortPresence([p(1, 'Борис', 'available'), p(2, 'Анна', 'available')]).map((x) => x.name)).toEqual(['Анна', 'Борис']);
  });

  it('counts every state, zero included', () => {
    expect(countByState(list)).toEqual({ available: 2, ringing: 1, on_call: 1, wrap_up: 1, away: 1, offline: 1 });
    expect(countByState([])).toEqual({ available: 0, ringing: 0, on_call: 0, wrap_up: 0, away: 0, offline: 0 });
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0 с', '0 s'],
    [42_000, '42 с', '42 s'],
    [185_000, '3 мин 05 с', '3 min 05 s'],
    [3_780_000, '1 ч 03 мин', '1 h 03 min'],
    [187_200_000 + 60_000, '2 д 04 ч', '2 d 04 h'],
    [-5_000, '0 с', '0 s'],
    [59_999, '59 с', '59 s'],
  ])('%i ms → %s / %s', (ms, ru, en) => {
    expect(formatDuration(ms, 'ru')).toBe(ru);
    expect(formatDuration(ms, 'en')).toBe(en);
  });
});
