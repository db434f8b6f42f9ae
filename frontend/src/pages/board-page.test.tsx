import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Client, Stage } from '../lib/types';
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

function client(id: number, name: string, stage_id: number): Client {
  return {
    id,
    name,
    company: 'ООО Вектор',
    phones: [],
    email: '',
    channel: '',
    owner_id: null,
    stage_id,
    stage_entered_at: '2026-01-01T00:00:00Z',
    first_contact_at: null,
    last_contact_at: null,
    contacts: 0,
    stage_contacts: 0,
    attempts: 0,
    notes: '',
    cooling_soon_at: null,
    cools_at: null,
    cooling_state: 'soon',
    created_at: '',
    updated_at: '',
  };
}

const stages = [stage(1, 'Новый клиент', 1), stage(2, 'Демо', 0)];

/** server answers the board's GETs and lets each test decide about the move. */
function server(onMove: () => Promise<Response>) {
  return vi.fn(async (url: string, _init?: RequestInit) => {
    if (url === '/api/v1/stages') return jsonResponse(200, { items: stages });
    if (url.startsWith('/api/v1/clients?')) {
      const stageId = Number(new URL(url, 'http://x').searchParams.get('stage_id'));
      const items = stageId === 1 ? [client(7, 'Иван Петров', 1)] : [];
      return jsonResponse(200, { items, total: items.length, page: 1, per_page: 50 });
    }
    if (url === '/api/v1/clients/7/move') return onMove();
    return jsonResponse(404, { code: 'not_found', error: 'no' });
  });
}

describe('BoardPage', () => {
  it('shows one region per stage, named after it, with cards named after clients', async () => {
    vi.stubGlobal('fetch', server(async () => jsonResponse(500, {})));
    renderWithApp(<BoardPage />);

    const first = await screen.findByRole('region', { name: 'Новый клиент' });
    expect(screen.getByRole('region', { name: 'Демо' })).toBeInTheDocument();
    const card = await within(first).findByRole('listitem', { name: 'Иван Петров' });
    expect(within(card).getByRole('button', { name: /Иван Петров/ })).toBeInTheDocument();
    expect(within(card).getByText('Скоро остынет')).toBeInTheDocument();
  });

  it('moves a card at once with the menu, then keeps it when the server agrees', async () => {
    let answer: (r: Response) => void = () => undefined;
    const fetchMock = server(() => new Promise<Response>((resolve) => (answer = resolve)));
    vi.stubGlobal('fetch', fetchMock);
    const user = userEvent.setup();
    renderWithApp(<BoardPage />);

    const first = await screen.findByRole('region', { name: 'Новый клиент' });
    const card = await within(first).findByRole('listitem', { name: 'Иван Петров' });
    await user.click(within(card).getByRole('button', { name: 'Перевести…' }));
    await user.click(screen.getByRole('menuitem', { name: 'Демо' }));

    // before the server answers
    const demo = screen.getByRole('region', { name: 'Демо' });
    expect(within(demo).getByRole('listitem', { name: 'Иван Петров' })).toBeInTheDocument();
    expect(within(first).queryByRole('listitem', { name: 'Иван Петров' })).toBeNull();
    expect(within(demo).getByLabelText('1 клиент')).toBeInTheDocument();
    expect(within(first).getByLabelText('0 клиентов')).toBeInTheDocument();

    answer(jsonResponse(200, { ...client(7, 'Иван Петров', 2), cooling_state: 'ok' }));
    await waitFor(() => expect(within(demo).queryByText('Скоро остынет')).toBeNull());
    expect(within(demo).getByRole('listitem', { name: 'Иван Петров' })).toBeInTheDocument();
    const moveCall = fetchMock.mock.calls.find(([url]) => url === '/api/v1/clients/7/move');
    expect(JSON.parse((moveCall?.[1] as RequestInit).body as string)).toEqual({ stage_id: 2 });
  });

  it('puts the card back and says so when the server refuses the move', async () => {
    vi.stubGlobal(
      'fetch',
      server(async () => jsonResponse(409, { code: 'conflict', error: 'The client was moved meanwhile.', field: '' })),
    );
    const user = userEvent.setup();
    renderWithApp(<BoardPage />);

    const first = await screen.findByRole('region', { name: 'Новый клиент' });
    const card = await within(first).findByRole('listitem', { name: 'Иван Петров' });
    await user.click(within(card).getByRole('button', { name: 'Перевести…' }));
    await user.click(screen.getByRole('menuitem', { name: 'Демо' }));

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Не удалось перевести «Иван Петров» на этап «Демо»');
    expect(alert).toHaveTextContent('The client was moved meanwhile.');
    expect(within(first).getByRole('listitem', { name: 'Иван Петров' })).toBeInTheDocument();
    expect(within(first).getByLabelText('1 клиент')).toBeInTheDocument();
    expect(within(screen.getByRole('region', { name: 'Демо' })).getByLabelText('0 клиентов')).toBeInTheDocument();
  });
});
