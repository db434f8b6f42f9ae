import { request } from '../../../lib/api-client';
import type { Client, ClientID, ClientPage, StageID } from '../../../lib/types';

/** BOARD_COLUMN_SIZE is how many cards a column loads. */
export const BOARD_COLUMN_SIZE = 50;

/** fetchColumn loads the clients of one stage, longest in the stage first. */
export function fetchColumn(stageId: StageID, signal?: AbortSignal): Promise<ClientPage> {
  return request<ClientPage>('/clients', {
    query: { stage_id: stageId, per_page: BOARD_COLUMN_SIZE, sort: 'stage_entered_at' },
    signal,
  });
}

export function moveClient(id: ClientID, stageId: StageID): Promise<Client> {
  return request<Client>(`/clients/${id}/move`, { method: 'POST', body: { stage_id: stageId } });
}
