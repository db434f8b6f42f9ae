import { useResource } from '../../../lib/use-resource';
import type { UserID, WorkItemKind } from '../../../lib/types';
import { useLiveRefresh } from '../../../stores/realtime-store';
import { fetchWorkItems } from '../api/work-queues-api';

/** The events after which the queues may have changed. */
export const QUEUE_EVENTS = ['work_item.created', 'work_item.closed', 'rule.action', 'client.deleted'] as const;

/** useWorkItems is one queue's open items (for one owner when given) with every queue's count, kept live. */
export function useWorkItems(kind: WorkItemKind, ownerId: UserID | null) {
  const res = useResource((signal) => fetchWorkItems({ kind, owner_id: ownerId }, signal), [kind, ownerId]);
  useLiveRefresh(QUEUE_EVENTS, res.refresh);
  return res;
}
