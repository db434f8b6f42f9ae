import { describe, expect, it } from 'vitest';
import type { Client, Stage } from '../../lib/types';
import type { EventMessage, ServerMessage } from '../../lib/events';
import {
  applyBoardEvent,
  applyMove,
  confirmMove,
  createBoard,
  eventClient,
  findCard,
  holdChange,
  reapplyMoves,
  rollbackMove,
  setColumnClients,
  settleMove,
  type BoardState,
} from './board-state';

function stage(id: number, name: string, client_count: number, extra: Partial<Stage> = {}): Stage {
  return {
    id,
    name,
    position: id,
    kind: 'open',
    cooling_period: 3,
    cooling_unit: 'working_days',
    cooling_soon: 1,
    contact_limit: 7,
    client_count,
    created_at: '2024-01-01T00:00:00Z',
    ...extra,
  };
}

function client(id: number, stage_id: number, extra: Partial<Client> = {}): Client {
  return {
    id,
    name: `Client ${id}`,
    company: '',
    phones: [],
    email: '',
    channel: '',
    owner_id: null,
    stage_id,
    stage_entered_at: '2024-01-01T00:00:00Z',
    first_contact_at: null,
    last_contact_at: null,
    contacts: 2,
    stage_contacts: 2,
    attempts: 0,
    notes: '',
    cooling_soon_at: '2024-01-03T00:00:00Z',
    cools_at: '2024-01-04T00:00:00Z',
    cooling_state: 'cooled',
    created_at: '2024-01-01T00:00:00Z',
    updated_at: '2024-01-01T00:00:00Z',
    ...extra,
  };
}

function board(): BoardState {
  let s = createBoard([stage(1, 'New', 3), stage(2, 'Demo', 1), stage(3, 'Won', 0, { kind: 'won', cooling_period: 0 })]);
  s = setColumnClients(s, 1, [client(10, 1), client(11, 1), client(12, 1)]);
  s = setColumnClients(s, 2, [client(20, 2)]);
  return s;
}

const ids = (s: BoardState, stageId: number) => s.columns[stageId]?.clients.map((c) => c.id);
const count = (s: BoardState, stageId: number) => s.columns[stageId]?.count;

describe('createBoard', () => {
  it('makes one column per stage in funnel order with the stage counts', () => {
    const s = board();
    expect(s.order).toEqual([1, 2, 3]);
    expect(count(s, 1)).toBe(3);
    expect(count(s, 3)).toBe(0);
  });

  it('takes the list total as the count when given', () => {
    const s = setColumnClients(board(), 2, [client(20, 2)], 57);
    expect(count(s, 2)).toBe(57);
  });
});

describe('applyMove', () => {
  it('moves the card to the end of the target column and changes both counts', () => {
    const res = applyMove(board(), 11, 2);
    expect(res).not.toBeNull();
    const s = res!.state;
    expect(ids(s, 1)).toEqual([10, 12]);
    expect(ids(s, 2)).toEqual([20, 11]);
    expect(count(s, 1)).toBe(2);
    expect(count(s, 2)).toBe(2);
    expect(findCard(s, 11)).toEqual({ stageId: 2, index: 1 });
  });

  it('gives the moved card its new stage and a fresh cooling state', () => {
    const now = new Date('2024-02-01T10:00:00Z');
    const toOpen = applyMove(board(), 10, 2, now)!.state.columns[2]!.clients.at(-1)!;
    expect(toOpen.stage_id).toBe(2);
    expect(toOpen.cooling_state).toBe('ok');
    expect(toOpen.stage_entered_at).toBe('2024-02-01T10:00:00.000Z');
    expect(toOpen.stage_contacts).toBe(0);

    const toWon = applyMove(board(), 10, 3)!.state.columns[3]!.clients[0]!;
    expect(toWon.cooling_state).toBe('none');
  });

  it('remembers where the card came from', () => {
    const { move } = applyMove(board(), 12, 3)!;
    expect(move).toMatchObject({ clientId: 12, fromStageId: 1, toStageId: 3, fromIndex: 2 });
    expect(move.before.cooling_state).toBe('cooled');
  });

  it('does nothing when the card is already in the column, unknown, or the column is unknown', () => {
    const s = board();
    expect(applyMove(s, 10, 1)).toBeNull();
    expect(applyMove(s, 999, 2)).toBeNull();
    expect(applyMove(s, 10, 999)).toBeNull();
  });

  it('does not change the state it was given', () => {
    const s = board();
    applyMove(s, 10, 2);
    expect(ids(s, 1)).toEqual([10, 11, 12]);
    expect(count(s, 2)).toBe(1);
  });

  it('never counts below zero when the count was stale', () => {
    let s = createBoard([stage(1, 'New', 0), stage(2, 'Demo', 0)]);
    s = setColumnClients(s, 1, [client(10, 1)]);
    const moved = applyMove(s, 10, 2)!.state;
    expect(count(moved, 1)).toBe(0);
    expect(count(moved, 2)).toBe(1);
  });
});

describe('rollbackMove', () => {
  it('puts the card back at its old place, as it was, with both counts restored', () => {
    const start = board();
    const { state, move } = applyMove(start, 11, 2)!;
    const back = rollbackMove(state, move);
    expect(ids(back, 1)).toEqual([10, 11, 12]);
    expect(ids(back, 2)).toEqual([20]);
    expect(count(back, 1)).toBe(3);
    expect(count(back, 2)).toBe(1);
    expect(back.columns[1]!.clients[1]).toEqual(start.columns[1]!.clients[1]);
  });

  it('keeps other moves made meanwhile', () => {
    const first = applyMove(board(), 10, 2)!;
    const second = applyMove(first.state, 12, 3)!;
    const back = rollbackMove(second.state, first.move);
    expect(ids(back, 1)).toEqual([10, 11]);
    expect(ids(back, 2)).toEqual([20]);
    expect(ids(back, 3)).toEqual([12]);
    expect(count(back, 1)).toBe(2);
    expect(count(back, 3)).toBe(1);
  });

  it('leaves the state alone when the card has left the target column', () => {
    const first = applyMove(board(), 10, 2)!;
    const second = applyMove(first.state, 10, 3)!;
    expect(rollbackMove(second.state, first.move)).toBe(second.state);
  });
});

describe('confirmMove', () => {
  it('replaces the optimistic card with the server answer', () => {
    const { state } = applyMove(board(), 10, 2)!;
    const server = client(10, 2, { cooling_state: 'ok', cools_at: '2024-02-05T00:00:00Z', name: 'Client 10' });
    const s = confirmMove(state, server);
    expect(s.columns[2]!.clients.at(-1)).toBe(server);
    expect(count(s, 2)).toBe(2);
  });
});

describe('confirmMove with a newer card on the board', () => {
  it('keeps the newer card: a late answer does not undo a change seen live', () => {
    const { state } = applyMove(board(), 10, 2)!;
    const live = client(10, 3, { updated_at: '2024-01-02T00:00:02Z', stage_entered_at: '2024-01-02T00:00:02Z' });
    const seen = applyBoardEvent(state, moved(live, 2)).state;
    const answer = client(10, 2, { updated_at: '2024-01-02T00:00:01Z' });
    expect(confirmMove(seen, answer)).toBe(seen);
  });
});

/** The events as the server sends them. */
let seq = 100;
function moved(c: Client, from: number): EventMessage<'client.moved'> {
  return { type: 'client.moved', seq: ++seq, data: { client: c, from_stage_id: from, to_stage_id: c.stage_id, reason: '' } };
}
function event<K extends EventMessage['type']>(type: K, data: Extract<EventMessage, { type: K }>['data']): ServerMessage {
  return { type, seq: ++seq, data } as ServerMessage;
}
const total = (s: BoardState) => s.order.reduce((n, id) => n + (s.columns[id]?.count ?? 0), 0);
const T1 = '2024-01-02T09:00:00.000001Z';
const T2 = '2024-01-02T09:00:00.000002Z';

describe('applyBoardEvent', () => {
  it("moves the card of another user's move to the end of its new column, counts following", () => {
    const s = board();
    const res = applyBoardEvent(s, moved(client(10, 2, { updated_at: T1, stage_entered_at: T1 }), 1));
    expect(res.reload).toBe(false);
    expect(ids(res.state, 1)).toEqual([11, 12]);
    expect(ids(res.state, 2)).toEqual([20, 10]);
    expect([count(res.state, 1), count(res.state, 2)]).toEqual([2, 2]);
    expect(res.state.columns[2]!.clients[1]!.updated_at).toBe(T1);
  });

  it("takes the echo of the user's own optimistic move as a confirmation: no second move, no jump", () => {
    const optimistic = applyMove(board(), 11, 2)!.state;
    const echo = client(11, 2, { updated_at: T1, stage_entered_at: T1, cooling_state: 'ok', name: 'Renamed meanwhile' });
    const res = applyBoardEvent(optimistic, moved(echo, 1));
    expect(ids(res.state, 1)).toEqual([10, 12]);
    expect(ids(res.state, 2)).toEqual([20, 11]);
    expect([count(res.state, 1), count(res.state, 2)]).toEqual([2, 2]);
    expect(res.state.columns[2]!.clients[1]).toBe(echo);
    expect(total(res.state)).toBe(total(board()));
  });

  it('ignores a version older than the card shown', () => {
    const s = applyBoardEvent(board(), moved(client(10, 2, { updated_at: T2, stage_entered_at: T2 }), 1)).state;
    const late = applyBoardEvent(s, moved(client(10, 3, { updated_at: T1, stage_entered_at: T1 }), 1));
    expect(late.state).toBe(s);
    const stale = applyBoardEvent(s, event('client.updated', client(10, 1, { updated_at: T1, name: 'Old name' })));
    expect(stale.state).toBe(s);
  });

  it('counts a move of a card beyond the loaded page out of its old column and into the new one', () => {
    let s = setColumnClients(board(), 1, [client(10, 1), client(11, 1), client(12, 1)], 80);
    s = applyBoardEvent(s, moved(client(70, 2, { updated_at: T1, stage_entered_at: T1 }), 1)).state;
    expect(count(s, 1)).toBe(79);
    expect(ids(s, 2)).toEqual([20, 70]);
    expect(count(s, 2)).toBe(2);
  });

  it('shows a card that lands in a column showing only its first page at the end, as its mover sees it', () => {
    const s = setColumnClients(board(), 2, [client(20, 2)], 60);
    const res = applyBoardEvent(s, moved(client(10, 2, { updated_at: T1, stage_entered_at: T1 }), 1));
    expect(ids(res.state, 1)).toEqual([11, 12]);
    expect(ids(res.state, 2)).toEqual([20, 10]);
    expect(count(res.state, 2)).toBe(61);
    const mine = applyMove(s, 10, 2)!.state;
    expect(ids(mine, 2)).toEqual(ids(res.state, 2));
  });

  it('adds a created client at its place in its column and counts it', () => {
    const res = applyBoardEvent(board(), event('client.created', client(30, 1, { stage_entered_at: T1, updated_at: T1 })));
    expect(res.reload).toBe(false);
    expect(ids(res.state, 1)).toEqual([10, 11, 12, 30]);
    expect(count(res.state, 1)).toBe(4);
    const early = client(31, 2, { stage_entered_at: '2023-12-31T00:00:00Z' });
    expect(ids(applyBoardEvent(board(), event('client.created', early)).state, 2)).toEqual([31, 20]);
  });

  describe("with the columns' event_seq", () => {
    // Column 1 holds 80 clients, 3 loaded, as of event 100; column 2 as of event 90.
    const loaded = () => {
      let s = setColumnClients(board(), 1, [client(10, 1), client(11, 1), client(12, 1)], 80, 100);
      s = setColumnClients(s, 2, [client(20, 2)], 1, 90);
      return s;
    };
    const at = (seq: number, m: ServerMessage): ServerMessage => ({ ...m, seq }) as ServerMessage;

    it('does not count twice a created client the column already counts (replayed or queued during the load)', () => {
      const s = loaded();
      const res = applyBoardEvent(s, at(99, event('client.created', client(70, 1, { stage_entered_at: T1, updated_at: T1 }))));
      expect(res.state).toBe(s);
      expect(res.reload).toBe(false);
      const later = applyBoardEvent(s, at(101, event('client.created', client(71, 1, { stage_entered_at: T1, updated_at: T1 }))));
      expect(count(later.state, 1)).toBe(81);
      expect(ids(later.state, 1)).toEqual([10, 11, 12, 71]);
    });

    it('takes a move out of a column loaded before it, when the target was loaded after it', () => {
      let s = setColumnClients(loaded(), 2, [client(20, 2), client(10, 2, { updated_at: T1 })], 2, 120);
      s = applyBoardEvent(s, at(110, moved(client(10, 2, { updated_at: T1, stage_entered_at: T1 }), 1))).state;
      expect(ids(s, 1)).toEqual([11, 12]);
      expect(count(s, 1)).toBe(79);
      expect(ids(s, 2)).toEqual([20, 10]);
      expect(count(s, 2)).toBe(2);
    });

    it('puts a move into a column loaded before it, when the source was loaded after it', () => {
      const s = applyBoardEvent(loaded(), at(95, moved(client(70, 2, { updated_at: T1, stage_entered_at: T1 }), 1))).state;
      expect(count(s, 1)).toBe(80);
      expect(ids(s, 2)).toEqual([20, 70]);
      expect(count(s, 2)).toBe(2);
    });

    it('counts nothing for a move there and back when the column it came back to was read after both', () => {
      // Column 1 read at 120 with the client back in it; column 2 read at 90, before both moves.
      let s = setColumnClients(loaded(), 1, [client(10, 1, { updated_at: T2 }), client(11, 1)], 80, 120);
      s = applyBoardEvent(s, at(100, moved(client(10, 2, { updated_at: T1, stage_entered_at: T1 }), 1))).state;
      s = applyBoardEvent(s, at(110, moved(client(10, 1, { updated_at: T2, stage_entered_at: T2 }), 2))).state;
      expect([count(s, 1), count(s, 2)]).toEqual([80, 1]);
      expect(ids(s, 1)).toEqual([10, 11]);
      expect(ids(s, 2)).toEqual([20]);
    });

    it('leaves both columns alone when both were loaded after the move', () => {
      const s = loaded();
      expect(applyBoardEvent(s, at(85, moved(client(70, 2, { updated_at: T1, stage_entered_at: T1 }), 1))).state).toBe(s);
    });
  });

  it('asks for a reload when a client lands in a stage the board does not have', () => {
    const res = applyBoardEvent(board(), event('client.created', client(30, 9)));
    expect(res.reload).toBe(true);
    expect(total(res.state)).toBe(total(board()));
  });

  it('patches an updated card where it is and leaves a card it does not show alone', () => {
    const s = board();
    const res = applyBoardEvent(s, event('client.updated', client(11, 1, { name: 'ООО Ромашка', updated_at: T1 })));
    expect(res.state.columns[1]!.clients.map((c) => c.name)).toEqual(['Client 10', 'ООО Ромашка', 'Client 12']);
    expect(count(res.state, 1)).toBe(3);
    const missing = applyBoardEvent(s, event('client.updated', client(99, 1, { updated_at: T1 })));
    expect(missing).toEqual({ state: s, reload: false });
  });

  it('removes a deleted card and its count; a deleted client it does not show needs a reload for the counts', () => {
    const res = applyBoardEvent(board(), event('client.deleted', { id: 11 }));
    expect(ids(res.state, 1)).toEqual([10, 12]);
    expect(count(res.state, 1)).toBe(2);
    expect(res.reload).toBe(false);
    expect(applyBoardEvent(board(), event('client.deleted', { id: 99 })).reload).toBe(true);
  });

  it.each([
    ['stage.created', () => event('stage.created', stage(4, 'New stage', 0))],
    ['stage.updated', () => event('stage.updated', stage(1, 'Renamed', 3))],
    ['stage.deleted', () => event('stage.deleted', { id: 2, moved_to: 1, clients_moved: 1 })],
    ['stages.reordered', () => event('stages.reordered', { ids: [3, 2, 1] })],
    ['clients.imported', () => event('clients.imported', { import_id: 5, created: 120 })],
    ['resync', (): ServerMessage => ({ type: 'resync', seq: 9000 })],
  ])('asks for a reload on %s and changes nothing itself', (_name, make) => {
    const s = board();
    expect(applyBoardEvent(s, make())).toEqual({ state: s, reload: true });
  });

  it('changes nothing on events that are not about the board', () => {
    const s = board();
    const user = { id: 3, org_id: 1, email: 'a@b.c', name: 'A', role: 'agent', locale: 'ru', time_zone: 'UTC', active: true, created_at: '' } as const;
    expect(applyBoardEvent(s, event('user.updated', user))).toEqual({ state: s, reload: false });
    expect(applyBoardEvent(s, { type: 'pong' })).toEqual({ state: s, reload: false });
  });
});

describe('settleMove', () => {
  it('keeps the card where it was moved when the server agrees', () => {
    const { state, move } = applyMove(board(), 10, 2)!;
    const answer = client(10, 2, { updated_at: T1, stage_entered_at: T1, cooling_state: 'ok' });
    const s = settleMove(state, move, answer);
    expect(ids(s, 2)).toEqual([20, 10]);
    expect(s.columns[2]!.clients[1]).toBe(answer);
    expect([count(s, 1), count(s, 2)]).toEqual([2, 2]);
  });

  it("follows another user's later move that came while waiting, whatever the answer", () => {
    const { state, move } = applyMove(board(), 10, 2)!;
    const theirs = client(10, 3, { updated_at: T2, stage_entered_at: T2 });
    const mine = client(10, 2, { updated_at: T1, stage_entered_at: T1 });
    for (const answer of [mine, null]) {
      const s = settleMove(state, move, answer, theirs);
      expect(ids(s, 1)).toEqual([11, 12]);
      expect(ids(s, 2)).toEqual([20]);
      expect(ids(s, 3)).toEqual([10]);
      expect([count(s, 1), count(s, 2), count(s, 3)]).toEqual([2, 1, 1]);
    }
  });

  it('keeps my move when it came after the one held', () => {
    const { state, move } = applyMove(board(), 10, 2)!;
    const theirs = client(10, 3, { updated_at: T1, stage_entered_at: T1 });
    const mine = client(10, 2, { updated_at: T2, stage_entered_at: T2 });
    const s = settleMove(state, move, mine, theirs);
    expect(ids(s, 2)).toEqual([20, 10]);
    expect(ids(s, 3)).toEqual([]);
  });

  it('undoes a refused move when nothing newer is known', () => {
    const { state, move } = applyMove(board(), 11, 2)!;
    expect(settleMove(state, move, null)).toEqual(rollbackMove(state, move));
    const old = client(11, 3, { updated_at: '2023-06-01T00:00:00Z' });
    expect(settleMove(state, move, null, old)).toEqual(rollbackMove(state, move));
  });

  it('takes the card off when the client was deleted meanwhile', () => {
    const { state, move } = applyMove(board(), 11, 2)!;
    const s = settleMove(state, move, null, 'deleted');
    expect(findCard(s, 11)).toBeNull();
    expect([count(s, 1), count(s, 2)]).toEqual([2, 1]);
  });
});

describe('holding changes while a move waits', () => {
  it('says which client an event is about', () => {
    const c = client(10, 2);
    expect(eventClient(moved(c, 1))).toEqual({ id: 10, change: c });
    expect(eventClient(event('client.deleted', { id: 4 }))).toEqual({ id: 4, change: 'deleted' });
    expect(eventClient(event('stages.reordered', { ids: [] }))).toBeNull();
  });

  it('keeps the newest change, and a deletion for good', () => {
    const older = client(10, 2, { updated_at: T1 });
    const newer = client(10, 3, { updated_at: T2 });
    expect(holdChange(undefined, older)).toBe(older);
    expect(holdChange(older, newer)).toBe(newer);
    expect(holdChange(newer, older)).toBe(newer);
    expect(holdChange(newer, 'deleted')).toBe('deleted');
    expect(holdChange('deleted', newer)).toBe('deleted');
  });
});

describe('reapplyMoves', () => {
  it('moves a waiting card again on a board loaded without it, and leaves newer server versions alone', () => {
    const first = applyMove(board(), 10, 2)!;
    const second = applyMove(first.state, 11, 3)!;
    // loaded again: the server had neither move yet, and 11 changed meanwhile
    let fresh = board();
    fresh = setColumnClients(fresh, 1, [client(10, 1), client(11, 1, { updated_at: T1 }), client(12, 1)]);
    const s = reapplyMoves(fresh, [first.move, second.move]);
    expect(ids(s, 1)).toEqual([11, 12]);
    expect(ids(s, 2)).toEqual([20, 10]);
    expect([count(s, 1), count(s, 2)]).toEqual([2, 2]);
  });
});
