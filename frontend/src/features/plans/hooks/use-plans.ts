import { useEffect } from 'react';
import { useResource } from '../../../lib/use-resource';
import { useLiveRefresh } from '../../../stores/realtime-store';
import { fetchPlanProgress, fetchPlans } from '../api/plans-api';

/** PROGRESS_REFRESH_MS: pace moves with working time, so progress is fetched again this often. */
export const PROGRESS_REFRESH_MS = 60_000;

/** usePlans loads the plans, again when one changes anywhere. */
export function usePlans() {
  const plans = useResource((signal) => fetchPlans(signal), []);
  useLiveRefresh(['plan.changed', 'user.updated'], plans.refresh);
  return plans;
}

/**
 * usePlanProgress loads every visible plan's progress: again when a plan
 * changes, when work is done that counts (contacts, new clients, moves),
 * on an alert, and every minute as working time passes.
 */
export function usePlanProgress() {
  const progress = useResource((signal) => fetchPlanProgress(signal), []);
  useLiveRefresh(['plan.changed', 'plan.alert', 'client.created', 'client.updated', 'client.moved', 'call.ended'], progress.refresh);
  const { refresh } = progress;
  useEffect(() => {
    const timer = setInterval(refresh, PROGRESS_REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);
  return progress;
}
