import { request } from '../../../lib/api-client';
import type {
  Channel,
  Client,
  ClientID,
  ClientInput,
  ClientListQuery,
  ClientPage,
  Items,
  StageID,
  Transition,
} from '../../../lib/types';

export function fetchClients(query: ClientListQuery, signal?: AbortSignal): Promise<ClientPage> {
  return request<ClientPage>('/clients', { query: { ...query }, signal });
}

export function fetchClient(id: ClientID, signal?: AbortSignal): Promise<Client> {
  return request<Client>(`/clients/${id}`, { signal });
}

export function createClient(input: ClientInput): Promise<Client> {
  return request<Client>('/clients', { method: 'POST', body: input });
}

export function updateClient(id: ClientID, input: ClientInput): Promise<Client> {
  return request<Client>(`/clients/${id}`, { method: 'PATCH', body: input });
}

export function deleteClient(id: ClientID): Promise<void> {
  return request<void>(`/clients/${id}`, { method: 'DELETE' });
}

export function moveClient(id: ClientID, stageId: StageID, reason?: string): Promise<Client> {
  const body: { stage_id: StageID; reason?: string } = { stage_id: stageId };
  if (reason) body.reason = reason;
  return request<Client>(`/clients/${id}/move`, { method: 'POST', body });
}

export async function fetchTransitions(id: ClientID, signal?: AbortSignal): Promise<Transition[]> {
  const res = await request<Items<Transition>>(`/clients/${id}/transitions`, { signal });
  return res.items;
}

export async function fetchChannels(signal?: AbortSignal): Promise<Channel[]> {
  const res = await request<Items<Channel>>('/channels', { signal });
  return res.items;
}
