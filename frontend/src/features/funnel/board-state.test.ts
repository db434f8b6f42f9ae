import { describe, expect, it } from 'vitest';
import type { Client, Stage } from '../../lib/types';
import { applyMove, confirmMove, createBoard, findCard, rollbackMove, setColumnClients, type BoardState } from './board-state';

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
