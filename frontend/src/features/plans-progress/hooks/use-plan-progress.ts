import { useEffect, useRef } from 'react';
import { useResource } from '../../../lib/use-resource';
import { useLiveRefresh } from '../../../stores/realtime-store';
import { fetchPlanProgress } from '../../plans/api/plans-api';

/** The events after which progress may have moved: plans, alerts, contacts (calls, manual ones), new clients, moves. */
export const PLAN_EVENTS = ['plan.changed', 'plan.alert', 'call.ended', 'client.created', 'client.updated', 'client.moved'] as const;
/** Pace moves with working time alone, so progress is fetched again this often anyway. */
export const PLAN_POLL_MS = 60_000;

/** usePlanProgress is every visible plan's progress (agents: their own), kept current. */
export function usePlanProgress() {
  const res = useResource((signal) => fetchPlanProgress(signal), []);
  const refresh = useRef(res.refresh);
  refresh.current = res.refresh;
  useLiveRefresh(PLAN_EVENTS, res.refresh, { delayMs: 1000 });
  useEffect(() => {
    const id = window.setInterval(() => refresh.current(), PLAN_POLL_MS);
    return () => window.clearInterval(id);
  }, []);
  return res;
}
