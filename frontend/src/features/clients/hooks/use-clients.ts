import { useResource } from '../../../lib/use-resource';
import { compareTimestamps } from '../../../lib/timestamps';
import type { Client, ClientID, ClientListQuery } from '../../../lib/types';
import { useLiveEvents, useLiveRefresh } from '../../../stores/realtime-store';
import { fetchChannels, fetchClient, fetchClients, fetchTransitions } from '../api/clients-api';

/** The events after which a list of clients may have changed. */
const LIST_EVENTS = ['client.created', 'client.updated', 'client.moved', 'client.deleted', 'clients.imported'] as const;

/**
 * useClientPage loads one page of the client list for the given filters,
 * and loads it again quietly when clients change elsewhere (the filters,
 * the search box and the scroll position stay as they are).
 */
export function useClientPage(query: ClientListQuery) {
  const key = JSON.stringify(query);
  const page = useResource((signal) => fetchClients(query, signal), [key]);
  useLiveRefresh(LIST_EVENTS, page.refresh);
  return page;
}

/**
 * useClient loads one client and keeps it current: a change or a move
 * elsewhere replaces it (unless it is older than what is shown), a
 * deletion or a resync loads it again (an answer older than a live change
 * applied meanwhile does not replace it).
 */
export function useClient(id: ClientID) {
  const client = useResource((signal) => fetchClient(id, signal), [id], { merge: newerClient });
  const { setData, refresh } = client;
  useLiveEvents(['client.updated', 'client.moved', 'client.deleted', 'resync'], (m) => {
    switch (m.type) {
      case 'client.updated':
      case 'client.moved': {
        const next = m.type === 'client.moved' ? m.data.client : m.data;
        if (next.id !== id) return;
        setData((old) => newerClient(next, old));
        return;
      }
      case 'client.deleted':
        if (m.data.id === id) refresh();
        return;
      case 'resync':
        refresh();
    }
  });
  return client;
}

/** useTransitions loads a client's stage history, again after each of its moves. */
export function useTransitions(id: ClientID) {
  const transitions = useResource((signal) => fetchTransitions(id, signal), [id]);
  useLiveRefresh(['client.moved'], transitions.refresh, { filter: (m) => m.data.client.id === id, delayMs: 0 });
  return transitions;
}

/** useChannels loads the source channels in use; new and changed clients may add some. */
export function useChannels() {
  const channels = useResource((signal) => fetchChannels(signal), []);
  useLiveRefresh(['client.created', 'client.updated', 'client.deleted', 'clients.imported'], channels.refresh, { delayMs: 1000 });
  return channels;
}

/** newerClient is the newer of a fetched client and the one shown, by updated_at. */
export function newerClient(fetched: Client, shown: Client | undefined): Client {
  return shown && shown.id === fetched.id && compareTimestamps(shown.updated_at, fetched.updated_at) > 0 ? shown : fetched;
}
