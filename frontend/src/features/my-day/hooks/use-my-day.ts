import { useResource } from '../../../lib/use-resource';
import type { UserID } from '../../../lib/types';
import { useLiveRefresh } from '../../../stores/realtime-store';
import { fetchMyDay } from '../api/my-day-api';

/** The events after which a day may have changed: its work items, the engine's actions, its clients. */
export const MY_DAY_EVENTS = [
  'work_item.created',
  'work_item.closed',
  'rule.action',
  'client.created',
  'client.updated',
  'client.moved',
  'client.deleted',
  'clients.imported',
] as const;

/** useMyDay is an agent's day (null: one's own), fetched again quietly as it changes. */
export function useMyDay(agentId: UserID | null) {
  const day = useResource((signal) => fetchMyDay(agentId, signal), [agentId]);
  useLiveRefresh(MY_DAY_EVENTS, day.refresh);
  return day;
}
