import { request } from '../../../lib/api-client';
import type { Items, UserID, WorkItem, WorkItemKind } from '../../../lib/types';

// The supervisors' work queues (GET /work-items and its actions).

/** WORK_QUEUES lists the queues in the day's order. */
export const WORK_QUEUES: readonly WorkItemKind[] = ['callback', 'cooling_soon', 'cooled', 'zombie'];

export interface QueueCount {
  kind: WorkItemKind;
  count: number;
  /** When the oldest open item of the queue appeared; null when empty. */
  oldest_at: string | null;
}

export interface WorkItemList {
  items: WorkItem[];
  counts: QueueCount[];
}

export type ZombieDecision = 'keep' | 'handoff' | 'reject';
export const ZOMBIE_DECISIONS: readonly ZombieDecision[] = ['keep', 'handoff', 'reject'];

/** fetchWorkItems lists open work items oldest first, with every queue's count (for one owner when given). */
export function fetchWorkItems(query: { kind?: WorkItemKind; owner_id?: UserID | null }, signal?: AbortSignal): Promise<WorkItemList> {
  return request<WorkItemList>('/work-items', { query: { kind: query.kind, owner_id: query.owner_id ?? undefined }, signal });
}

/** reassignWorkItems gives open work items, and their clients, to another agent. */
export async function reassignWorkItems(ids: number[], ownerId: UserID): Promise<WorkItem[]> {
  const res = await request<Items<WorkItem>>('/work-items/reassign', { method: 'POST', body: { ids, owner_id: ownerId } });
  return res.items;
}

/** decideWorkItem is a supervisor's one-click decision on a zombie. */
export function decideWorkItem(id: number, decision: ZombieDecision): Promise<WorkItem> {
  return request<WorkItem>(`/work-items/${id}/decision`, { method: 'POST', body: { decision } });
}
