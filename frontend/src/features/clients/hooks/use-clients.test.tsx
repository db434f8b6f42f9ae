import { act, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Client } from '../../../lib/types';
import { createLiveBus } from '../../../test/live';
import { jsonResponse } from '../../../test/render';
import { useClient, useClientPage, useTransitions } from './use-clients';

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

function client(id: number, extra: Partial<Client> = {}): Client {
  return {
    id,
    name: `Client ${id}`,
    company: '',
    phones: [],
    email: '',
    channel: '',
    owner_id: null,
    stage_id: 1,
    stage_entered_at: '2026-01-01T00:00:00Z',
    first_contact_at: null,
    last_contact_at: null,
    contacts: 0,
    stage_contacts: 0,
    attempts: 0,
    notes: '',
    cooling_soon_at: null,
    cools_at: null,
    cooling_state: 'ok',
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    ...extra,
  };
}

function setup<T>(hook: () => T, answer: (url: string) => unknown) {
  const bus = createLiveBus();
  const fetchMock = vi.fn(async (url: string) => jsonResponse(200, answer(url)));
  vi.stubGlobal('fetch', fetchMock);
  const wrapper = ({ children }: { children: ReactNode }) => <bus.Provider>{children}</bus.Provider>;
  const view = renderHook(hook, { wrapper });
  const calls = () => fetchMock.mock.calls.map(([url]) => url);
  return { bus, view, calls };
}

const moved = (c: Client) =>
  ({ type: 'client.moved', data: { client: c, from_stage_id: 1, to_stage_id: c.stage_id, reason: '' } }) as const;

describe('useClientPage', () => {
  it('loads the same page again once, quietly, after a burst of client events', async () => {
    let version = 1;
    const { bus, view, calls } = setup(
      () => useClientPage({ q: 'Иван', page: 2 }),
      () => ({ items: [client(version)], total: 41, page: 2, per_page: 20 }),
    );
    await waitFor(() => expect(view.result.current.data?.items[0]?.id).toBe(1));
    vi.useFakeTimers();
    const loadings: boolean[] = [];

    version = 2;
    bus.emit(moved(client(5, { stage_id: 2 })));
    act(() => vi.advanceTimersByTime(200));
    bus.emit({ type: 'client.deleted', data: { id: 6 } });
    bus.emit({ type: 'clients.imported', data: { import_id: 1, created: 3 } });
    loadings.push(view.result.current.loading);
    act(() => vi.advanceTimersByTime(299));
    expect(calls()).toHaveLength(1);
    act(() => vi.advanceTimersByTime(1));
    vi.useRealTimers();

    await waitFor(() => expect(view.result.current.data?.items[0]?.id).toBe(2));
    loadings.push(view.result.current.loading);
    expect(calls()).toEqual(['/api/v1/clients?q=%D0%98%D0%B2%D0%B0%D0%BD&page=2', '/api/v1/clients?q=%D0%98%D0%B2%D0%B0%D0%BD&page=2']);
    expect(loadings).toEqual([false, false]);
  });

  it('loads again after a resync and ignores events about other things', async () => {
    const { bus, view, calls } = setup(
      () => useClientPage({}),
      () => ({ items: [], total: 0, page: 1, per_page: 20 }),
    );
    await waitFor(() => expect(view.result.current.data).toBeDefined());
    bus.emit({ type: 'stages.reordered', data: { ids: [2, 1] } });
    await new Promise((r) => setTimeout(r, 350));
    expect(calls()).toHaveLength(1);
    bus.emit({ type: 'resync', seq: 5000 });
    await waitFor(() => expect(calls()).toHaveLength(2));
  });
});

describe('useClient', () => {
  it('takes the changes and moves of its client, not older ones, not other clients', async () => {
    const { bus, view, calls } = setup(() => useClient(7), () => client(7));
    await waitFor(() => expect(view.result.current.data?.name).toBe('Client 7'));

    bus.emit({ type: 'client.updated', data: client(8, { name: 'Someone else', updated_at: '2026-03-01T00:00:00Z' }) });
    expect(view.result.current.data?.name).toBe('Client 7');

    bus.emit(moved(client(7, { stage_id: 3, name: 'Moved', updated_at: '2026-03-01T00:00:00.5Z' })));
    expect(view.result.current.data).toMatchObject({ stage_id: 3, name: 'Moved' });

    bus.emit({ type: 'client.updated', data: client(7, { name: 'Late echo', updated_at: '2026-03-01T00:00:00.4Z' }) });
    expect(view.result.current.data?.name).toBe('Moved');
    expect(calls()).toHaveLength(1);
  });

  it('loads again when its client is deleted (to show that it is gone)', async () => {
    let gone = false;
    const bus = createLiveBus();
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => (gone ? jsonResponse(404, { code: 'not_found', error: 'Client 7 not found.' }) : jsonResponse(200, client(7)))),
    );
    const view = renderHook(() => useClient(7), { wrapper: ({ children }) => <bus.Provider>{children}</bus.Provider> });
    await waitFor(() => expect(view.result.current.data).toBeDefined());
    gone = true;
    bus.emit({ type: 'client.deleted', data: { id: 8 } });
    bus.emit({ type: 'client.deleted', data: { id: 7 } });
    await waitFor(() => expect(view.result.current.error).toMatchObject({ code: 'not_found' }));
  });
});

describe('useTransitions', () => {
  it("loads a client's history again after its move only", async () => {
    const { bus, view, calls } = setup(() => useTransitions(7), () => ({ items: [] }));
    await waitFor(() => expect(view.result.current.data).toEqual([]));
    bus.emit(moved(client(8, { stage_id: 2 })));
    bus.emit({ type: 'client.updated', data: client(7, { name: 'Renamed' }) });
    await new Promise((r) => setTimeout(r, 50));
    expect(calls()).toHaveLength(1);
    bus.emit(moved(client(7, { stage_id: 2 })));
    await waitFor(() => expect(calls()).toEqual(['/api/v1/clients/7/transitions', '/api/v1/clients/7/transitions']));
  });
});
