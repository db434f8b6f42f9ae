import { useResource } from '../../../lib/use-resource';
import type { ClientID, ClientListQuery } from '../../../lib/types';
import { fetchChannels, fetchClient, fetchClients, fetchTransitions } from '../api/clients-api';

/** useClientPage loads one page of the client list for the given filters. */
export function useClientPage(query: ClientListQuery) {
  const key = JSON.stringify(query);
  return useResource((signal) => fetchClients(query, signal), [key]);
}

export function useClient(id: ClientID) {
  return useResource((signal) => fetchClient(id, signal), [id]);
}

export function useTransitions(id: ClientID) {
  return useResource((signal) => fetchTransitions(id, signal), [id]);
}

export function useChannels() {
  return useResource((signal) => fetchChannels(signal), []);
}
