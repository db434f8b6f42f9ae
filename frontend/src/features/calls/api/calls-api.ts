import { request } from '../../../lib/api-client';
import type { Call, CallID, ClientID, Items, UserID } from '../../../lib/types';

export interface CallQuery {
  client_id?: ClientID;
  agent_id?: UserID;
  /** Only calls that have not ended. */
  open?: boolean;
  limit?: number;
}

export async function fetchCalls(query: CallQuery, signal?: AbortSignal): Promise<Call[]> {
  const res = await request<Items<Call>>('/calls', { query: { ...query, open: query.open ? true : undefined }, signal });
  return res.items;
}

export function fetchCall(id: CallID, signal?: AbortSignal): Promise<Call> {
  return request<Call>(`/calls/${id}`, { signal });
}

/** startCall is click-to-call over REST: the caller's softphone rings first (409 when it is off). */
export function startCall(input: { client_id?: ClientID; to?: string }): Promise<{ call_id: CallID }> {
  return request<{ call_id: CallID }>('/calls', { method: 'POST', body: input });
}

/** demoCallIn makes the demo phone network call the organisation (demo mode only). */
export function demoCallIn(from?: string): Promise<void> {
  return request<void>('/demo/call-in', { method: 'POST', body: from ? { from } : {} });
}
