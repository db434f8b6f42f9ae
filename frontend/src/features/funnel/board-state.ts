// Pure state of the funnel board: columns of client cards per stage, the
// optimistic moves between them and the live events applied to them. No
// React, no fetch: easy to test.
import type { EventMessage, ServerMessage } from '../../lib/events';
import { compareTimestamps } from '../../lib/timestamps';
import type { Client, ClientID, CoolingState, Stage, StageID } from '../../lib/types';

export interface BoardColumn {
  stage: Stage;
  /** The cards loaded for this column, in the server's order. */
  clients: Client[];
  /** How many clients the stage has in all (may be more than loaded). */
  count: number;
  /**
   * The last event the cards and count already hold (the page's
   * event_seq); 0 when unknown. Events up to it are not applied again,
   * or a client created beyond the loaded page would be counted twice.
   */
  seq: number;
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
  for (const stage of stages) columns[stage.id] = { stage, clients: [], count: stage.client_count, seq: 0 };
  return { order: stages.map((s) => s.id), columns };
}

/**
 * setColumnClients puts the loaded cards in a column; total, when known,
 * replaces the count, and seq says which events they hold.
 */
export function setColumnClients(
  state: BoardState,
  stageId: StageID,
  clients: Client[],
  total?: number,
  seq?: number,
): BoardState {
  const col = state.columns[stageId];
  if (!col) return state;
  return {
    ...state,
    columns: { ...state.columns, [stageId]: { ...col, clients, count: total ?? col.count, seq: seq ?? col.seq } },
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

/**
 * confirmMove puts in the client the server answered in place of the
 * optimistic card, unless the board already shows a newer version.
 */
export function confirmMove(state: BoardState, client: Client): BoardState {
  return upsertClient(state, client);
}

/** isOlder reports whether a version of a client is older than another, by updated_at. */
function isOlder(a: Client, b: Client): boolean {
  return compareTimestamps(a.updated_at, b.updated_at) < 0;
}

/** withColumn replaces one column. */
function withColumn(state: BoardState, stageId: StageID, col: BoardColumn): BoardState {
  return { ...state, columns: { ...state.columns, [stageId]: col } };
}

/**
 * insertCard adds a card to a column at its place in the server's order
 * (longest in the stage first) and counts it. A card that just arrived
 * sorts last, and shows at the end even when the column shows only its
 * first page: everyone watching sees it land where its mover sees it.
 */
function insertCard(col: BoardColumn, client: Client): BoardColumn {
  let index = col.clients.findIndex((c) => compareTimestamps(c.stage_entered_at, client.stage_entered_at) > 0);
  if (index < 0) index = col.clients.length;
  const clients = [...col.clients];
  clients.splice(index, 0, client);
  return { ...col, clients, count: col.count + 1 };
}

export interface UpsertOptions {
  /** Add the client when the board has no card of it (a creation, a move from beyond a loaded page). */
  addIfMissing?: boolean;
  /** The stage a missing card left: its count goes down. */
  fromStageId?: StageID;
  /**
   * The event's sequence number, when the version comes from one: a column
   * whose page was read at or after it already holds the change, so its
   * count is left as it is and no card is added to it.
   */
  seq?: number;
}

/**
 * upsertClient shows a version of a client the server sent: the card is
 * replaced where it is, or moved to the column of its stage_id. A version
 * older than the card's (by updated_at) changes nothing, so a late echo
 * cannot undo a newer change.
 */
export function upsertClient(state: BoardState, client: Client, options: UpsertOptions = {}): BoardState {
  const at = findCard(state, client.id);
  const target = state.columns[client.stage_id];
  const counts = (stageId: StageID) => {
    const col = state.columns[stageId];
    return !!col && (options.seq === undefined || lacks(col, options.seq));
  };
  if (at) {
    const col = state.columns[at.stageId] as BoardColumn;
    const current = col.clients[at.index] as Client;
    if (isOlder(client, current)) return state;
    if (at.stageId === client.stage_id) {
      const clients = [...col.clients];
      clients[at.index] = client;
      return withColumn(state, at.stageId, { ...col, clients });
    }
    const left = withColumn(state, at.stageId, {
      ...col,
      clients: col.clients.filter((c) => c.id !== client.id),
      count: counts(at.stageId) ? Math.max(0, col.count - 1) : col.count,
    });
    return target && counts(client.stage_id) ? withColumn(left, client.stage_id, insertCard(target, client)) : left;
  }
  if (!options.addIfMissing) return state;
  let next = state;
  const from = options.fromStageId !== undefined ? state.columns[options.fromStageId] : undefined;
  if (from && options.fromStageId !== client.stage_id && counts(options.fromStageId as StageID)) {
    next = withColumn(next, options.fromStageId as StageID, { ...from, count: Math.max(0, from.count - 1) });
  }
  return target && counts(client.stage_id) ? withColumn(next, client.stage_id, insertCard(target, client)) : next;
}

/** removeClient takes a client's card off the board and reports whether there was one. */
export function removeClient(state: BoardState, clientId: ClientID): { state: BoardState; found: boolean } {
  const at = findCard(state, clientId);
  if (!at) return { state, found: false };
  const col = state.columns[at.stageId] as BoardColumn;
  return {
    state: withColumn(state, at.stageId, {
      ...col,
      clients: col.clients.filter((c) => c.id !== clientId),
      count: Math.max(0, col.count - 1),
    }),
    found: true,
  };
}

/** HeldChange is what the server said about a client while its move was waiting for an answer. */
export type HeldChange = Client | 'deleted';

/** eventClient says which client an event is about and what it now is; null for other events. */
export function eventClient(message: ServerMessage): { id: ClientID; change: HeldChange } | null {
  switch (message.type) {
    case 'client.created':
    case 'client.updated':
      return { id: message.data.id, change: message.data };
    case 'client.moved':
      return { id: message.data.client.id, change: message.data.client };
    case 'client.deleted':
      return { id: message.data.id, change: 'deleted' };
    default:
      return null;
  }
}

/** holdChange keeps the newest of two changes held for a client; a deletion is final. */
export function holdChange(held: HeldChange | undefined, change: HeldChange): HeldChange {
  if (held === 'deleted') return held;
  if (change === 'deleted' || held === undefined) return change;
  return isOlder(change, held) ? held : change;
}

/**
 * settleMove ends an optimistic move once the server has answered: answer
 * is the client it returned, or null when it refused. Events about the
 * client that came meanwhile were held back (so that the card did not
 * jump); the newest of them and the answer decides where the card goes.
 * With neither, the refused move is undone.
 */
export function settleMove(state: BoardState, move: BoardMove, answer: Client | null, held?: HeldChange): BoardState {
  if (held === 'deleted') return removeClient(state, move.clientId).state;
  const candidates = [answer, held].filter((c): c is Client => !!c && !isOlder(c, move.before));
  const newest = candidates.sort((a, b) => compareTimestamps(b.updated_at, a.updated_at))[0];
  if (!newest) return rollbackMove(state, move);
  return upsertClient(state, newest, { addIfMissing: true, fromStageId: move.toStageId });
}

/**
 * reapplyMoves puts the cards of moves still waiting for the server back
 * in their target columns after the board was loaded again, unless the
 * server already has a newer version of them.
 */
export function reapplyMoves(state: BoardState, moves: Iterable<BoardMove>, now: Date = new Date()): BoardState {
  let next = state;
  for (const move of moves) {
    const at = findCard(next, move.clientId);
    const card = at ? next.columns[at.stageId]?.clients[at.index] : undefined;
    if (!card || isOlder(move.before, card)) continue;
    next = applyMove(next, move.clientId, move.toStageId, now)?.state ?? next;
  }
  return next;
}

/** lacks says whether a column was loaded before an event, so that the event still has to be applied to it. */
function lacks(col: BoardColumn, seq: number): boolean {
  return seq > col.seq;
}

/** The events after which the board loads again: they change stages or many clients at once. */
const RELOADING_EVENTS: ReadonlySet<string> = new Set([
  'clients.imported',
  'stage.created',
  'stage.updated',
  'stage.deleted',
  'stages.reordered',
  'resync',
]);

/**
 * applyBoardEvent applies a live event to the board. reload says the board
 * must be fetched again: the event changes stages or many clients, the
 * server asked for a resync, or the board cannot tell where a change
 * belongs (a deleted client whose card is not loaded, a stage it lacks).
 */
export function applyBoardEvent(state: BoardState, message: ServerMessage): { state: BoardState; reload: boolean } {
  if (RELOADING_EVENTS.has(message.type)) return { state, reload: true };
  const ev = message as EventMessage;
  switch (ev.type) {
    case 'client.created':
      return {
        state: upsertClient(state, ev.data, { addIfMissing: true, seq: ev.seq }),
        reload: !state.columns[ev.data.stage_id],
      };
    case 'client.updated':
      return { state: upsertClient(state, ev.data), reload: false };
    case 'client.moved': {
      const { client, from_stage_id } = ev.data;
      return {
        state: upsertClient(state, client, { addIfMissing: true, fromStageId: from_stage_id, seq: ev.seq }),
        reload: !state.columns[client.stage_id],
      };
    }
    case 'client.deleted': {
      const res = removeClient(state, ev.data.id);
      return { state: res.state, reload: !res.found };
    }
    default:
      return { state, reload: false };
  }
}
