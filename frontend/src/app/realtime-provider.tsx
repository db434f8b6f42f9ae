import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { isApiError, request } from '../lib/api-client';
import { RealtimeClient, realtimeUrl, type RealtimeOptions, type RealtimeStatus } from '../lib/realtime-client';
import type { Session } from '../lib/types';
import { RealtimeContext, type RealtimeContextValue, type Subscribe } from '../stores/realtime-store';
import { useSession } from '../stores/session-store';

/** checkSession asks the server whether the session still holds; a 401 also ends it in the session store. */
async function checkSession(): Promise<boolean> {
  try {
    await request<Session>('/auth/me');
    return true;
  } catch (err) {
    if (isApiError(err) && err.status === 401) return false;
    throw err;
  }
}

export type CreateRealtimeClient = (
  options: Pick<RealtimeOptions, 'checkSession' | 'gapsExpected' | 'startAfter'>,
) => RealtimeClient;

/** createBrowserClient connects to the page's own origin with the browser's WebSocket. */
export const createBrowserClient: CreateRealtimeClient = (options) =>
  new RealtimeClient({
    url: realtimeUrl(window.location),
    WebSocket,
    browser: { window, document },
    log: import.meta.env.DEV ? (message, detail) => console.debug(message, detail ?? '') : undefined,
    ...options,
  });

const noSubscribe: Subscribe = () => () => undefined;

/**
 * RealtimeProvider keeps the tab's one live connection while a user is
 * logged in, and closes it at logout. It keeps the session's own user and
 * organisation up to date; pages and features subscribe through
 * stores/realtime-store.
 */
export function RealtimeProvider({
  children,
  createClient = createBrowserClient,
}: {
  children: ReactNode;
  createClient?: CreateRealtimeClient;
}) {
  const { status: sessionStatus, user, organisation, eventSeq, setUser, setOrganisation } = useSession();
  const [client, setClient] = useState<RealtimeClient | null>(null);
  const [status, setStatus] = useState<RealtimeStatus>('connecting');
  const userId = sessionStatus === 'authenticated' ? (user?.id ?? null) : null;

  // An agent limited to their own clients does not get the others' events:
  // for them a jump in seq is normal, not a loss.
  const gaps = useRef(false);
  gaps.current = user?.role === 'agent' && !!organisation?.agents_own_clients_only;
  const createRef = useRef(createClient);
  createRef.current = createClient;
  // The session was read before any page loaded: starting after its
  // sequence, the stream brings whatever changed while they loaded.
  const startAfter = useRef(eventSeq);
  startAfter.current = eventSeq;

  useEffect(() => {
    if (userId === null) return;
    const c = createRef.current({
      checkSession,
      gapsExpected: () => gaps.current,
      startAfter: startAfter.current ?? undefined,
    });
    const offStatus = c.onStatus(setStatus);
    const offOrg = c.subscribe('organisation.updated', (m) => setOrganisation(m.data));
    const offUser = c.subscribe('user.updated', (m) => {
      if (m.data.id === userId) setUser(m.data);
    });
    setClient(c);
    c.start();
    setStatus(c.getStatus());
    return () => {
      offStatus();
      offOrg();
      offUser();
      c.close();
      setClient(null);
    };
  }, [userId, setOrganisation, setUser]);

  const subscribe = useMemo<Subscribe>(
    () => (client ? (((type, handler) => client.subscribe(type, handler as never)) as Subscribe) : noSubscribe),
    [client],
  );
  const value = useMemo<RealtimeContextValue>(() => ({ status, subscribe }), [status, subscribe]);
  return <RealtimeContext.Provider value={value}>{children}</RealtimeContext.Provider>;
}
