import { useCallback, useEffect, useRef, useState } from 'react';
import { isAbortError } from '../../../lib/api-client';
import type { ChosenState, Presence } from '../../../lib/types';
import { useLiveEvents, useRealtimeStatus } from '../../../stores/realtime-store';
import { useSession } from '../../../stores/session-store';
import { fetchPresence, setMyState } from '../api/presence-api';
import { PresenceKeeper } from '../presence-keeper';

export interface MyPresence {
  /** The user's presence, null until known. */
  presence: Presence | null;
  /** choose sets the user's state; it throws when the server refuses. */
  choose: (state: ChosenState, reason?: string) => Promise<void>;
}

/**
 * useMyPresence is the logged-in user's own state: read at load, kept live
 * by their agent.state_changed events, and put back after the connection
 * comes back from a blip (presence-keeper.ts).
 */
export function useMyPresence(): MyPresence {
  const { user } = useSession();
  const userId = user?.id ?? null;
  const status = useRealtimeStatus();
  const [presence, setPresence] = useState<Presence | null>(null);

  const keeperRef = useRef<PresenceKeeper | null>(null);
  if (!keeperRef.current) {
    keeperRef.current = new PresenceKeeper({
      put: setMyState,
      onPresence: (p) => setPresence(p),
      onReapplyFailed: () => setReload((n) => n + 1),
    });
  }
  const keeper = keeperRef.current;
  const [reload, setReload] = useState(0);

  useEffect(() => {
    if (userId === null) return;
    const ctrl = new AbortController();
    fetchPresence(ctrl.signal)
      .then((items) => {
        const mine = items.find((p) => p.user_id === userId);
        if (!mine) return;
        keeper.observe(mine);
        setPresence((old) => (old && Date.parse(old.since) > Date.parse(mine.since) ? old : mine));
      })
      .catch((err: unknown) => {
        // Unknown for now: the button says so, and the next event or resync tells.
        if (!isAbortError(err)) console.warn('presence: cannot read the own state', err);
      });
    return () => ctrl.abort();
  }, [userId, keeper, reload]);

  useEffect(() => {
    if (status) keeper.status(status);
  }, [status, keeper]);

  useLiveEvents(['agent.state_changed', 'resync'], (m) => {
    if (m.type === 'resync') {
      setReload((n) => n + 1);
      return;
    }
    if (m.data.user_id !== userId) return;
    keeper.observe(m.data);
    setPresence(m.data);
  });

  const choose = useCallback(
    async (state: ChosenState, reason = '') => {
      await keeper.choose(state, reason);
    },
    [keeper],
  );
  return { presence, choose };
}
