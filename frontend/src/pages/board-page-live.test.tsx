import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Client, Stage } from '../lib/types';
import { createLiveBus } from '../test/live';
import { jsonResponse, renderWithApp } from '../test/render';
import { BoardPage } from './board-page';

afterEach(() => {
  vi.unstubAllGlobals();
});

function stage(id: number, name: string, client_count: number): Stage {
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
    created_at: '',
  };
}

const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-02-01T10:00:00.000001Z';

function client(id: number, name: string, stage_id: number, extra: Partial<Client> = {}): Client {
  return {
    id,
    name,
    company: 'ООО Вектор',
    phones: [],
    email: '',
    channel: '',
    owner_id: null,
    stage_id,
    stage_entered_at: T0,
    first_contact_at: null,
    last_contact_at: null,
    contacts: 0,
    stage_contacts: 0,
    attempts: 0,
    notes: '',
    cooling_soon_at: null,
    cools_at: null,
    cooling_state: 'soon',
    created_at: T0,
    updated_at: T0,
    ...extra,
  };
}

/** server answers the board's GETs from its current stages and clients; the move waits for the test. */
function server() {
  const state = {
    stages: [stage(1, 'Новый клиент', 1), stage(2, 'Демо', 0)],
    clients: [client(7, 'Иван Петров', 1)],
    answerMove: (_r: Response) => undefined as void,
  };
  const fetchMock = vi.fn(async (url: string, _init?: RequestInit) => {
    if (url === '/api/v1/stages') return jsonResponse(200, { items: state.stages });
    if (url.startsWith('/api/v1/clients?')) {
      const stageId = Number(new URL(url, 'http://x').searchParams.get('stage_id'));
      const items = state.clients.filter((c) => c.stage_id === stageId);
      return jsonResponse(200, { items, total: items.length, page: 1, per_page: 50 });
    }
    if (url === '/api/v1/clients/7/move') return new Promise<Response>((resolve) => (state.answerMove = resolve));
    return jsonResponse(404, { code: 'not_found', error: 'no' });
  });
  vi.stubGlobal('fetch', fetchMock);
  const calls = (prefix: string) => fetchMock.mock.calls.filter(([url]) => url.startsWith(prefix)).length;
  return { state, calls };
}

async function renderBoard() {
  const bus = createLiveBus();
  renderWithApp(
    <bus.Provider>
      <BoardPage />
    </bus.Provider>,
  );
  const first = await screen.findByRole('region', { name: 'Новый клиент' });
  await within(first).findByRole('listitem', { name: 'Иван Петров' });
  return { bus, first, demo: screen.getByRole('region', { name: 'Демо' }) };
}

describe('BoardPage with live updates', () => {
  it("moves a card when another user moves it, with the counts, without loading anything", async () => {
    const { calls } = server();
    const { bus, first, demo } = await renderBoard();
    const before = calls('/api/v1/');

    const moved = client(7, 'Иван Петров', 2, { updated_at: T1, stage_entered_at: T1, cooling_state: 'ok' });
    bus.emit({ type: 'client.moved', data: { client: moved, from_stage_id: 1, to_stage_id: 2, reason: '' } });

    expect(within(demo).getByRole('listitem', { name: 'Иван Петров' })).toBeInTheDocument();
    expect(within(first).queryByRole('listitem', { name: 'Иван Петров' })).toBeNull();
    expect(within(demo).getByLabelText('1 клиент')).toBeInTheDocument();
    expect(within(first).getByLabelText('0 клиентов')).toBeInTheDocument();
    expect(calls('/api/v1/')).toBe(before);
  });

  it("takes the echo of the user's own move as done: one card, counted once, before and after the answer", async () => {
    const { state } = server();
    const { bus, first, demo } = await renderBoard();
    const user = userEvent.setup();
    const card = within(first).getByRole('listitem', { name: 'Иван Петров' });
    await user.click(within(card).getByRole('button', { name: 'Перевести…' }));
    await user.click(screen.getByRole('menuitem', { name: 'Демо' }));

    const done = client(7, 'Иван Петров', 2, { updated_at: T1, stage_entered_at: T1, cooling_state: 'ok' });
    bus.emit({ type: 'client.moved', data: { client: done, from_stage_id: 1, to_stage_id: 2, reason: '' } });

    expect(screen.getAllByRole('listitem', { name: 'Иван Петров' })).toHaveLength(1);
    expect(within(demo).getByRole('listitem', { name: 'Иван Петров' })).toBeInTheDocument();
    expect(within(demo).getByLabelText('1 клиент')).toBeInTheDocument();
    expect(within(first).getByLabelText('0 клиентов')).toBeInTheDocument();

    state.answerMove(jsonResponse(200, done));
    await waitFor(() => expect(within(demo).queryByText('Скоро остынет')).toBeNull());
    expect(screen.getAllByRole('listitem', { name: 'Иван Петров' })).toHaveLength(1);
    expect(within(demo).getByLabelText('1 клиент')).toBeInTheDocument();
    expect(within(first).getByLabelText('0 клиентов')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('does not make a waiting card jump back for a change saved elsewhere just before the move', async () => {
    const { state } = server();
    const { bus, first, demo } = await renderBoard();
    const user = userEvent.setup();
    const card = within(first).getByRole('listitem', { name: 'Иван Петров' });
    await user.click(within(card).getByRole('button', { name: 'Перевести…' }));
    await user.click(screen.getByRole('menuitem', { name: 'Демо' }));

    // A colleague renamed the client a moment before the move was saved.
    const renamed = client(7, 'Иван Петров (VIP)', 1, { updated_at: '2026-02-01T09:59:59Z' });
    bus.emit({ type: 'client.updated', data: renamed });
    expect(within(demo).getByRole('listitem', { name: 'Иван Петров' })).toBeInTheDocument();
    expect(within(first).queryAllByRole('listitem')).toHaveLength(0);

    state.answerMove(jsonResponse(200, { ...renamed, stage_id: 2, updated_at: T1, stage_entered_at: T1 }));
    expect(await within(demo).findByRole('listitem', { name: 'Иван Петров (VIP)' })).toBeInTheDocument();
    expect(within(first).queryAllByRole('listitem')).toHaveLength(0);
    expect(within(demo).getByLabelText('1 клиент')).toBeInTheDocument();
  });

  it('adds a created client to its column, patches an updated one and removes a deleted one', async () => {
    server();
    const { bus, first } = await renderBoard();

    bus.emit({ type: 'client.created', data: client(8, 'Анна Смирнова', 1, { stage_entered_at: T1, updated_at: T1 }) });
    expect(within(first).getAllByRole('listitem').map((li) => li.getAttribute('aria-label'))).toEqual([
      'Иван Петров',
      'Анна Смирнова',
    ]);
    expect(within(first).getByLabelText('2 клиента')).toBeInTheDocument();

    bus.emit({ type: 'client.updated', data: client(7, 'Иван Петров-Водкин', 1, { updated_at: T1 }) });
    expect(within(first).getByRole('listitem', { name: 'Иван Петров-Водкин' })).toBeInTheDocument();

    bus.emit({ type: 'client.deleted', data: { id: 8 } });
    expect(within(first).queryByRole('listitem', { name: 'Анна Смирнова' })).toBeNull();
    expect(within(first).getByLabelText('1 клиент')).toBeInTheDocument();
  });

  it('loads stages and columns again after a stage change, keeping the cards shown meanwhile', async () => {
    const { state, calls } = server();
    const { bus, first } = await renderBoard();
    const columnLoads = calls('/api/v1/clients?');
    state.stages = [...state.stages, stage(3, 'Счёт выставлен', 0)];

    bus.emit({ type: 'stage.created', data: state.stages[2]! });
    expect(within(first).getByRole('listitem', { name: 'Иван Петров' })).toBeInTheDocument();

    expect(await screen.findByRole('region', { name: 'Счёт выставлен' })).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Новый клиент' })).toContainElement(
      screen.getByRole('listitem', { name: 'Иван Петров' }),
    );
    expect(screen.queryByText('Загрузка…')).toBeNull();
    await waitFor(() => expect(calls('/api/v1/clients?')).toBeGreaterThanOrEqual(columnLoads + 3));
  });

  it('loads the columns again after an import, with the new cards', async () => {
    const { state } = server();
    const { bus, first } = await renderBoard();
    state.clients = [...state.clients, client(9, 'Олег Иванов', 1, { stage_entered_at: T1 })];

    bus.emit({ type: 'clients.imported', data: { import_id: 3, created: 1 } });

    expect(await within(first).findByRole('listitem', { name: 'Олег Иванов' })).toBeInTheDocument();
    expect(within(first).getByLabelText('2 клиента')).toBeInTheDocument();
  });
});
