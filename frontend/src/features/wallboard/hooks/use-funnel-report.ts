import { useEffect, useRef } from 'react';
import type { EventType } from '../../../lib/events';
import { useResource } from '../../../lib/use-resource';
import { useLiveEvents } from '../../../stores/realtime-store';
import { fetchFunnelReport } from '../api/reports-api';

/** The events after which the funnel's figures may have changed. */
export const FUNNEL_EVENTS: readonly EventType[] = [
  'client.created',
  'client.updated',
  'client.deleted',
  'client.moved',
  'clients.imported',
  'stage.created',
  'stage.updated',
  'stages.reordered',
  'stage.deleted',
];

/** A burst of events within this long makes one refetch, which starts at most this long after the first. */
export const FUNNEL_REFRESH_DELAY_MS = 500;
/** Cooling goes on without events: the report is fetched again this often anyway. */
export const FUNNEL_POLL_MS = 60_000;

const DAY_MS = 86_400_000;

/**
 * useFunnelReport is the funnel report over the last `days` days, fetched
 * again quietly (no loading state) after changes to clients or stages,
 * after a resync and every minute.
 */
export function useFunnelReport(days: number) {
  const res = useResource((signal) => fetchFunnelReport(new Date(Date.now() - days * DAY_MS), signal), [days]);
  const refresh = useRef(res.refresh);
  refresh.current = res.refresh;
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useLiveEvents<EventType | 'resync'>([...FUNNEL_EVENTS, 'resync'], () => {
    // Throttled, not debounced: a steady stream of events still refreshes.
    if (timer.current !== null) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      refresh.current();
    }, FUNNEL_REFRESH_DELAY_MS);
  });

  useEffect(() => {
    const id = window.setInterval(() => refresh.current(), FUNNEL_POLL_MS);
    return () => {
      window.clearInterval(id);
      if (timer.current !== null) clearTimeout(timer.current);
    };
  }, []);
  return res;
}
