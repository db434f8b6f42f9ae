import { createContext, useContext, useEffect, useRef } from 'react';
import type { EventType, MessageOf, ServerMessageType } from '../lib/events';
import type { RealtimeStatus } from '../lib/realtime-client';

/** Subscribe is RealtimeClient.subscribe, as the app's one client offers it. */
export type Subscribe = <K extends ServerMessageType>(type: K, handler: (message: MessageOf<K>) => void) => () => void;

export interface RealtimeContextValue {
  status: RealtimeStatus;
  subscribe: Subscribe;
}

/**
 * RealtimeContext holds the live connection of a logged-in page
 * (app/realtime-provider.tsx). Without a provider, as in most tests, the
 * hooks below do nothing.
 */
export const RealtimeContext = createContext<RealtimeContextValue | null>(null);

/** useRealtimeStatus is the live connection's status, null when there is none. */
export function useRealtimeStatus(): RealtimeStatus | null {
  return useContext(RealtimeContext)?.status ?? null;
}

/**
 * useLiveEvents calls handler with every message of the given types. The
 * handler may change at each render; the subscription stays.
 */
export function useLiveEvents<K extends ServerMessageType>(
  types: readonly K[],
  handler: (message: MessageOf<K>) => void,
): void {
  const subscribe = useContext(RealtimeContext)?.subscribe;
  const handlerRef = useRef(handler);
  handlerRef.current = handler;
  const key = types.join(' ');
  useEffect(() => {
    if (!subscribe) return;
    const offs = (key ? (key.split(' ') as K[]) : []).map((type) =>
      subscribe(type, (m) => handlerRef.current(m as MessageOf<K>)),
    );
    return () => offs.forEach((off) => off());
  }, [subscribe, key]);
}

/** LIVE_REFRESH_DELAY_MS gathers a burst of events (an import, a busy team) into one refetch. */
export const LIVE_REFRESH_DELAY_MS = 300;

/**
 * useLiveRefresh calls refresh once the given events (and any resync) stop
 * coming for delayMs; when filter is given, only events it accepts count.
 */
export function useLiveRefresh<K extends EventType>(
  types: readonly K[],
  refresh: () => void,
  { delayMs = LIVE_REFRESH_DELAY_MS, filter }: { delayMs?: number; filter?: (message: MessageOf<K>) => boolean } = {},
): void {
  const refreshRef = useRef(refresh);
  refreshRef.current = refresh;
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current);
    },
    [],
  );
  useLiveEvents<K | 'resync'>([...types, 'resync'], (m) => {
    if ((m as { type: string }).type !== 'resync' && filter && !filter(m as MessageOf<K>)) return;
    if (timer.current !== null) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      timer.current = null;
      refreshRef.current();
    }, delayMs);
  });
}
