// Pure state of the funnel board: columns of client cards per stage, and the
// optimistic moves between them. No React, no fetch: easy to test.
import type { Client, ClientID, CoolingState, Stage, StageID } from '../../lib/types';

export interface BoardColumn {
  stage: Stage;
  /** The cards loaded for this column, in the server's order. */
  clients: Client[];
  /** How many clients the stage has in all (may be more than loaded). */
  count: number;
}

export interface BoardState {
  /** Stage ids in funnel order. */
  order: StageID[];
  columns: Record<StageID, BoardColumn>;
}

/** BoardMove remembers what an optimistic move changed so that it can be undone. */
export interface BoardMove {
  clientId: ClientID;
  fromStageId: StageID;
  toStageId: StageID;
  /** Where the card was in its old column. */
  fromIndex: number;
  /** The card as it was before the move. */
  before: Client;
}

/** createBoard makes one empty column per stage, counts from the stages' client_count. */
export function createBoard(stages: Stage[]): BoardState {
  const columns: Record<StageID, BoardColumn> = {};
  for (const stage of stages) columns[stage.id] = { stage, clients: [], count: stage.client_count };
  return { order: stages.map((s) => s.id), columns };
}

/** setColumnClients puts the loaded cards in a column; total, when known, replaces the count. */
export function setColumnClients(state: BoardState, stageId: StageID, clients: Client[], total?: number): BoardState {
  const col = state.columns[stageId];
  if (!col) return state;
  return {
    ...state,
    columns: { ...state.columns, [stageId]: { ...col, clients, count: total ?? col.count } },
  };
}

/** findCard says in which column and at which index a client's card is. */
export function findCard(state: BoardState, clientId: ClientID): { stageId: StageID; index: number } | null {
  for (const stageId of state.order) {
    const index = state.columns[stageId]?.clients.findIndex((c) => c.id === clientId) ?? -1;
    if (index >= 0) return { stageId, index };
  }
  return null;
}

/** expectedCooling is the cooling state a client has right after entering a stage. */
export function expectedCooling(stage: Stage): CoolingState {
  return stage.kind !== 'open' || stage.cooling_period === 0 ? 'none' : 'ok';
}

/**
 * applyMove moves a card to the end of another column at once and changes
 * both counts. It returns null when there is nothing to do: unknown card,
 * unknown column or the card is already there.
 */
export function applyMove(
  state: BoardState,
  clientId: ClientID,
  toStageId: StageID,
  now: Date = new Date(),
): { state: BoardState; move: BoardMove } | null {
  const at = findCard(state, clientId);
  const to = state.columns[toStageId];
  if (!at || !to || at.stageId === toStageId) return null;
  const from = state.columns[at.stageId] as BoardColumn;
  const before = from.clients[at.index] as Client;
  const moved: Client = {
    ...before,
    stage_id: toStageId,
    stage_entered_at: now.toISOString(),
    stage_contacts: 0,
    cooling_state: expectedCooling(to.stage),
    cooling_soon_at: null,
    cools_at: null,
  };
  return {
    state: {
      ...state,
      columns: {
        ...state.columns,
        [at.stageId]: {
          ...from,
          clients: from.clients.filter((c) => c.id !== clientId),
          count: Math.max(0, from.count - 1),
        },
        [toStageId]: { ...to, clients: [...to.clients, moved], count: to.count + 1 },
      },
    },
    move: { clientId, fromStageId: at.stageId, toStageId, fromIndex: at.index, before },
  };
}

/**
 * rollbackMove undoes an optimistic move that the server refused: the card
 * goes back where it was, as it was, and both counts are restored. When the
 * card is no longer in the column it was moved to, the state is left alone.
 */
export function rollbackMove(state: BoardState, move: BoardMove): BoardState {
  const to = state.columns[move.toStageId];
  const from = state.columns[move.fromStageId];
  if (!to || !from || !to.clients.some((c) => c.id === move.clientId)) return state;
  const restored = [...from.clients];
  restored.splice(Math.min(move.fromIndex, restored.length), 0, move.before);
  return {
    ...state,
    columns: {
      ...state.columns,
      [move.toStageId]: {
        ...to,
        clients: to.clients.filter((c) => c.id !== move.clientId),
        count: Math.max(0, to.count - 1),
      },
      [move.fromStageId]: { ...from, clients: restored, count: from.count + 1 },
    },
  };
}

/** confirmMove replaces the optimistic card with the client the server answered. */
export function confirmMove(state: BoardState, client: Client): BoardState {
  const at = findCard(state, client.id);
  if (!at) return state;
  const col = state.columns[at.stageId] as BoardColumn;
  return {
    ...state,
    columns: {
      ...state.columns,
      [at.stageId]: { ...col, clients: col.clients.map((c) => (c.id === client.id ? client : c)) },
    },
  };
}
