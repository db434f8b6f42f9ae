import { act } from '@testing-library/react';
import type { ReactNode } from 'react';
import type { ServerMessage } from '../lib/events';
import type { RealtimeStatus } from '../lib/realtime-client';
import { RealtimeContext, type RealtimeContextValue, type Subscribe } from '../stores/realtime-store';

/**
 * createLiveBus stands in for the live connection in page tests: wrap the
 * page in its Provider, then emit the server's messages.
 */
export function createLiveBus(status: RealtimeStatus = 'live') {
  const handlers = new Map<string, Set<(m: ServerMessage) => void>>();
  const subscribe: Subscribe = (type, handler) => {
    let set = handlers.get(type);
    if (!set) handlers.set(type, (set = new Set()));
    const h = handler as (m: ServerMessage) => void;
    set.add(h);
    return () => {
      set.delete(h);
    };
  };
  const value: RealtimeContextValue = { status, subscribe };
  let seq = 1000;
  return {
    /** emit delivers a message to its subscribers inside act(); events get the next seq when they have none. */
    emit(message: ServerMessage | Omit<Extract<ServerMessage, { seq: number }>, 'seq'>) {
      const m = ('seq' in message ? message : { ...message, seq: ++seq }) as ServerMessage;
      act(() => {
        for (const h of [...(handlers.get(m.type) ?? [])]) h(m);
      });
    },
    /** subscribers counts the handlers of a type. */
    subscribers: (type: string) => handlers.get(type)?.size ?? 0,
    Provider: ({ children }: { children: ReactNode }) => (
      <RealtimeContext.Provider value={value}>{children}</RealtimeContext.Provider>
    ),
  };
}
