import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RuleAction } from '../../../lib/types';
import { createLiveBus } from '../../../test/live';
import { jsonResponse, renderWithApp } from '../../../test/render';
import { ClientAutomaticActions } from './client-automatic-actions';

afterEach(() => vi.unstubAllGlobals());

const action = (id: number, over: Partial<RuleAction>): RuleAction => ({
  id, client_id: 9, work_item_id: null, rule: 'cooling', action: 'queue', reason: 'cooled: 6 working days in Тёплый клиент, limit 5',
  before: {}, after: {}, actor_id: null, created_at: '2026-03-02T09:00:00Z', undone_at: null, undone_by: null, ...over,
});

function stubServer(list: RuleAction[]) {
  const sent: string[] = [];
  let current = list;
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input);
      sent.push(`${init?.method ?? 'GET'} ${url}`);
      if (url === '/api/v1/clients/9/actions') return jsonResponse(200, { items: current });
      const undo = /^\/api\/v1\/rule-actions\/(\d+)\/undo$/.exec(url);
      if (undo) {
        current = current.map((a) => (a.id === Number(undo[1]) ? { ...a, undone_at: '2026-03-02T10:00:00Z', undone_by: 2 } : a));
        return jsonResponse(200, current.find((a) => a.id === Number(undo[1])));
      }
      return jsonResponse(404, { code: 'not_found', error: 'Not found.' });
    }),
  );
  return { sent, set: (l: RuleAction[]) => (current = l) };
}

describe('ClientAutomaticActions', () => {
  it('lists the engine\'s actions newest first with their reasons, and a supervisor undoes one', async () => {
    const { sent } = stubServer([
      action(1, {}),
      action(2, { rule: 'zombie', action: 'reject', reason: 'zombie: 7 contacts in Демо without progress, limit 7', created_at: '2026-03-02T09:30:00Z' }),
    ]);
    const onUndone = vi.fn();
    renderWithApp(<ClientAutomaticActions clientId={9} canUndo onUndone={onUndone} />);
    const list = await screen.findByRole('list', { name: 'Автоматические действия' });
    const items = within(list).getAllByRole('listitem');
    expect(items[0]).toHaveTextContent('Зомби: в отказ');
    expect(items[0]).toHaveTextContent('зомби: 7 контактов в «Демо» без движения, лимит 7');
    expect(items[1]).toHaveTextContent('Остывание: в очередь');
    expect(items[1]).toHaveTextContent('остыл: 6 рабочих дней в «Тёплый клиент», лимит 5');
    await userEvent.click(within(items[0]!).getByRole('button', { name: 'Отменить' }));
    await waitFor(() => expect(onUndone).toHaveBeenCalledWith(expect.objectContaining({ id: 2, undone_at: '2026-03-02T10:00:00Z' })));
    expect(sent).toContain('POST /api/v1/rule-actions/2/undo');
    expect(within(list).getAllByRole('listitem')[0]).toHaveTextContent(/Отменено/);
    expect(within(within(list).getAllByRole('listitem')[0]!).queryByRole('button', { name: 'Отменить' })).not.toBeInTheDocument();
  });

  it('offers no undo to agents', async () => {
    stubServer([action(1, {})]);
    renderWithApp(<ClientAutomaticActions clientId={9} canUndo={false} />);
    await screen.findByText(/остыл: 6 рабочих дней/);
    expect(screen.queryByRole('button', { name: 'Отменить' })).not.toBeInTheDocument();
  });

  it('fetches again when the engine acts on this client, not on another', async () => {
    const server = stubServer([]);
    const bus = createLiveBus();
    renderWithApp(
      <bus.Provider>
        <ClientAutomaticActions clientId={9} canUndo />
      </bus.Provider>,
    );
    await screen.findByText('Автоматических действий пока не было.');
    server.set([action(5, {})]);
    bus.emit({ type: 'rule.action', data: action(6, { client_id: 10 }) });
    await new Promise((r) => setTimeout(r, 400));
    expect(server.sent.filter((s) => s.includes('/actions'))).toHaveLength(1);
    bus.emit({ type: 'rule.action', data: action(5, {}) });
    await screen.findByText(/остыл: 6 рабочих дней/);
  });
});
