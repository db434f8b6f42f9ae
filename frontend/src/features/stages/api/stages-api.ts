import { request } from '../../../lib/api-client';
import type { Items, Stage, StageID, StageInput } from '../../../lib/types';

export async function fetchStages(signal?: AbortSignal): Promise<Stage[]> {
  const res = await request<Items<Stage>>('/stages', { signal });
  return res.items;
}

export function createStage(input: StageInput): Promise<Stage> {
  return request<Stage>('/stages', { method: 'POST', body: input });
}

export function updateStage(id: StageID, input: StageInput): Promise<Stage> {
  return request<Stage>(`/stages/${id}`, { method: 'PATCH', body: input });
}

export async function reorderStages(ids: StageID[]): Promise<Stage[]> {
  const res = await request<Items<Stage>>('/stages/order', { method: 'PUT', body: { ids } });
  return res.items;
}

/** deleteStage deletes a stage; moveTo is required when the stage still has clients. */
export function deleteStage(id: StageID, moveTo?: StageID): Promise<void> {
  return request<void>(`/stages/${id}`, { method: 'DELETE', query: { move_to: moveTo } });
}
