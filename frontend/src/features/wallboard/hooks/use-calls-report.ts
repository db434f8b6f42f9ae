import { useEffect, useRef } from 'react';
import type { EventType } from '../../../lib/events';
import { useResource } from '../../../lib/use-resource';
import { useLiveEvents } from '../../../stores/realtime-store';
import { fetchCallsReport } from '../api/reports-api';

/** The events after which the calls panel may have changed. */
export const CALL_EVENTS: readonly EventType[] = ['call.ringing', 'call.answered', 'call.held', 'call.ended', 'call.missed'];

/** A burst of call events within this long makes one refetch. */
export const CALLS_REFRESH_DELAY_MS = 300;
/** Midnight passes without events: the figures are fetched again this often anyway. */
export const CALLS_POLL_MS = 60_000;

/**
 * useCallsReport is the calls panel's data, fetched again quietly after
 * every call event (throttled, so a busy team still sees changes within a
 * second), after a resync and every minute.
 */
export function useCallsReport() {
  const res = useResource((signal) => fetchCallsReport(signal), []);
  const refresh = useRef(res.refresh);
  refresh.current = res.refresh;
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useLiveEvents<EventType | 'resync'>([...CALL_EVENTS, 'resync'], () => {
    if (timer.current !== null) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      refresh.current();
    }, CALLS_REFRESH_DELAY_MS);
  });

  useEffect(() => {
    const id = window.setInterval(() => refresh.current(), CALLS_POLL_MS);
    return () => {
      window.clearInterval(id);
      if (timer.current !== null) clearTimeout(timer.current);
    };
  }, []);
  return res;
}
