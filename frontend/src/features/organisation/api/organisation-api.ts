import { request } from '../../../lib/api-client';
import type { Organisation, OrganisationUpdate } from '../../../lib/types';

export function fetchOrganisation(signal?: AbortSignal): Promise<Organisation> {
  return request<Organisation>('/organisation', { signal });
}

export function updateOrganisation(input: OrganisationUpdate): Promise<Organisation> {
  return request<Organisation>('/organisation', { method: 'PATCH', body: input });
}
