import { request } from '../../../lib/api-client';
import type { Client, UserID } from '../../../lib/types';

// The agent's day (GET /my-day, backend/warmline/rules.go MyDay).

/** MyDaySection is where a client stands in the day, in the order the day is worked. */
export type MyDaySection = 'callback' | 'cooling_soon' | 'cooled' | 'in_progress' | 'new';
export const MY_DAY_SECTIONS: readonly MyDaySection[] = ['callback', 'cooling_soon', 'cooled', 'in_progress', 'new'];

export interface MyDayItem {
  section: MyDaySection;
  work_item_id: number | null;
  /** Why the client is here, with the numbers ("" for clients in progress and new ones). */
  reason: string;
  client: Client;
}

export interface MyDay {
  agent_id: UserID;
  /** Already in the day's order: callbacks and cooling soon, cooled, in progress by next action, new. */
  items: MyDayItem[];
}

/** fetchMyDay loads an agent's day: one's own, or (supervisors) the agent named. */
export function fetchMyDay(agentId: UserID | null, signal?: AbortSignal): Promise<MyDay> {
  return request<MyDay>('/my-day', { query: { agent_id: agentId ?? undefined }, signal });
}
