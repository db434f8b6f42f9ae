import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { User, WorkItem } from '../../../lib/types';
import { jsonResponse, renderWithApp } from '../../../test/render';
import type { WorkItemList } from '../api/work-queues-api';
import { WorkQueues } from './work-queues';

afterEach(() => vi.unstubAllGlobals());

const NOW = Date.parse('2026-03-02T10:00:00Z');
const person = (id: number, name: string): User => ({
  id, org_id: 1, email: `u${id}@demo.example`, name, role: 'agent', locale: 'ru', time_zone: 'Europe/Moscow', active: true, created_at: '',
});
const users = [person(3, 'Анна Петрова'), person(4, 'Дмитрий Соколов')];
const zombie = (id: number, name: string): WorkItem => ({
  id, kind: 'zombie', client_id: id * 10, client_name: name, owner_id: 3, owner_name: 'Анна Петрова',
  reason: 'zombie: 7 contacts in Демо without progress, limit 7', created_at: '2026-03-02T08:00:00Z', closed_at: null, closed_by: null, decision: null,
});
const list = (items: WorkItem[]): WorkItemList => ({
  items,
  counts: [
    { kind: 'callback', count: 1, oldest_at: '2026-03-02T09:00:00Z' },
    { kind: 'cooling_soon', count: 0, oldest_at: null },
    { kind: 'cooled', count: 4, oldest_at: '2026-02-27T10:00:00Z' },
    { kind: 'zombie', count: items.length, oldest_at: items[0]?.created_at ?? null },
  ],
});

interface Sent {
  url: string;
  method: string;
  body: unknown;
}

function stubServer(items: WorkItem[]) {
  const sent: Sent[] = [];
  let current = items;
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input);
      const method = init?.method ?? 'GET';
      const body = init?.body ? JSON.parse(String(init.body)) : undefined;
      sent.push({ url, method, body });
      if (method === 'GET' && url.startsWith('/api/v1/work-items')) return jsonResponse(200, list(current));
      const decided = /^\/api\/v1\/work-items\/(\d+)\/decision$/.exec(url);
      if (decided) {
        const w = current.find((x) => x.id === Number(decided[1]))!;
        current = current.filter((x) => x !== w);
        return jsonResponse(200, { ...w, closed_at: '2026-03-02T10:00:00Z', decision: (body as { decision: string }).decision });
      }
      if (url === '/api/v1/work-items/reassign') {
        const { ids, owner_id } = body as { ids: number[]; owner_id: number };
        return jsonResponse(200, { items: current.filter((w) => ids.includes(w.id)).map((w) => ({ ...w, owner_id })) });
      }
      return jsonResponse(404, { code: 'not_found', error: 'Not found.' });
    }),
  );
  return { sent };
}

function renderQueues(onOwnerChange = vi.fn()) {
  return renderWithApp(
    <WorkQueues kind="zombie" ownerId={null} users={users} now={NOW} onKindChange={vi.fn()} onOwnerChange={onOwnerChange} />,
    { session: null },
  );
}

describe('WorkQueues', () => {
  it('shows every queue with its count and oldest age, and the zombies with owner, reason and age', async () => {
    stubServer([zombie(1, 'ООО Вечный'), zombie(2, 'ИП Завтра')]);
    renderQueues();
    const table = await screen.findByRole('table', { name: 'Зомби — на решение' });
    expect(screen.getByTestId('queue-count-cooled')).toHaveTextContent('4');
    expect(screen.getByRole('tab', { name: /Остывшие/ })).toHaveTextContent('старейший — 3 д 00 ч');
    const row = within(table).getByRole('row', { name: 'ООО Вечный' });
    expect(row).toHaveTextContent('зомби: 7 контактов в «Демо» без движения, лимит 7');
    expect(row).toHaveTextContent('Анна Петрова');
    expect(row).toHaveTextContent('2 ч 00 мин');
  });

  it('decides a zombie in one click: the decision is sent and the row leaves the queue', async () => {
    const { sent } = stubServer([zombie(1, 'ООО Вечный'), zombie(2, 'ИП Завтра')]);
    renderQueues();
    const table = await screen.findByRole('table', { name: 'Зомби — на решение' });
    await userEvent.click(within(table).getByRole('button', { name: 'Передать в другой канал: ООО Вечный' }));
    await waitFor(() => expect(within(table).queryByRole('row', { name: 'ООО Вечный' })).not.toBeInTheDocument());
    expect(sent.filter((s) => s.method === 'POST')).toEqual([{ url: '/api/v1/work-items/1/decision', method: 'POST', body: { decision: 'handoff' } }]);
    expect(within(table).getByRole('row', { name: 'ИП Завтра' })).toBeInTheDocument();
    expect(await screen.findByText('«ООО Вечный» передан в другой канал.')).toBeInTheDocument();
  });

  it('decides the focused zombie with one key', async () => {
    const { sent } = stubServer([zombie(1, 'ООО Вечный'), zombie(2, 'ИП Завтра')]);
    renderQueues();
    const table = await screen.findByRole('table', { name: 'Зомби — на решение' });
    within(table).getByRole('row', { name: 'ИП Завтра' }).focus();
    await userEvent.keyboard('r');
    await waitFor(() => expect(within(table).queryByRole('row', { name: 'ИП Завтра' })).not.toBeInTheDocument());
    expect(sent.filter((s) => s.method === 'POST')).toEqual([{ url: '/api/v1/work-items/2/decision', method: 'POST', body: { decision: 'reject' } }]);
  });

  it('reassigns the selected items in bulk', async () => {
    const { sent } = stubServer([zombie(1, 'ООО Вечный'), zombie(2, 'ИП Завтра'), zombie(3, 'АО Потом')]);
    renderQueues();
    const table = await screen.findByRole('table', { name: 'Зомби — на решение' });
    const button = screen.getByRole('button', { name: /Передать 0/ });
    expect(button).toBeDisabled();
    await userEvent.click(within(table).getByRole('checkbox', { name: 'Выделить: ООО Вечный' }));
    await userEvent.click(within(table).getByRole('checkbox', { name: 'Выделить: АО Потом' }));
    await userEvent.selectOptions(screen.getByLabelText('Кому передать'), 'Дмитрий Соколов');
    await userEvent.click(screen.getByRole('button', { name: 'Передать 2 клиентов' }));
    await screen.findByText('2 клиента переданы: Дмитрий Соколов.');
    expect(sent.filter((s) => s.method === 'POST')).toEqual([{ url: '/api/v1/work-items/reassign', method: 'POST', body: { ids: [1, 3], owner_id: 4 } }]);
  });

  it('asks for one owner\'s items when filtered', async () => {
    stubServer([zombie(1, 'ООО Вечный')]);
    const onOwner = vi.fn();
    renderQueues(onOwner);
    await screen.findByRole('table', { name: 'Зомби — на решение' });
    await userEvent.selectOptions(screen.getByLabelText('Ответственный'), 'Анна Петрова');
    expect(onOwner).toHaveBeenCalledWith(3);
  });
});
