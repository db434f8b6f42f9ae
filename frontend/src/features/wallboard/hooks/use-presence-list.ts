import { useResource } from '../../../lib/use-resource';
import { useLiveEvents, useLiveRefresh } from '../../../stores/realtime-store';
import { fetchPresence } from '../../presence/api/presence-api';
import { applyPresence, keepNewerPresence } from '../../presence/presence-state';

/**
 * usePresenceList is every user's state: fetched once, then changed in
 * place by agent.state_changed events (no refetch, so a change shows at
 * once); fetched again quietly after a resync or when users change, an
 * answer never undoing a newer live change.
 */
export function usePresenceList() {
  const res = useResource((signal) => fetchPresence(signal), [], { merge: keepNewerPresence });
  useLiveEvents(['agent.state_changed'], (m) => res.setData((old) => applyPresence(old ?? [], m.data)));
  useLiveRefresh(['user.created', 'user.updated'], res.refresh);
  return res;
}
