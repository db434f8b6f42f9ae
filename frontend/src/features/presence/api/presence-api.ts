import { request } from '../../../lib/api-client';
import type { ChosenState, Items, Presence } from '../../../lib/types';

/** fetchPresence lists every active user of the organisation with their state. */
export async function fetchPresence(signal?: AbortSignal): Promise<Presence[]> {
  const res = await request<Items<Presence>>('/presence', { signal });
  return res.items;
}

/** setMyState changes the caller's own state; the same state and reason again changes nothing. */
export function setMyState(state: ChosenState, reason = ''): Promise<Presence> {
  return request<Presence>('/auth/me/state', { method: 'PUT', body: state === 'away' && reason ? { state, reason } : { state } });
}
