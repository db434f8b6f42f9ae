import { act, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LiveStatus } from '../components/ui/live-status';
import { RealtimeClient, type RealtimeOptions } from '../lib/realtime-client';
import { useLiveEvents } from '../stores/realtime-store';
import { useSession } from '../stores/session-store';
import { FakeSocket } from '../test/fake-websocket';
import { testOrganisation, testSession, testUser } from '../test/fixtures';
import { jsonResponse, renderWithApp } from '../test/render';
import { RealtimeProvider } from './realtime-provider';

afterEach(() => {
  vi.unstubAllGlobals();
});

const user = testUser();
const organisation = testOrganisation({ agents_own_clients_only: true });
const session = testSession(user, organisation, 10);

/** The ids of the clients whose moves Probe was told about. */
let globalMoves: number[] = [];

function Probe() {
  const { organisation: org, user: me, signOut } = useSession();
  useLiveEvents(['client.moved'], (m) => globalMoves.push(m.data.client.id));
  return (
    <div>
      <LiveStatus />
      <p>org: {org?.name}</p>
      <p>me: {me?.name}</p>
      <button type="button" onClick={signOut}>
        out
      </button>
    </div>
  );
}

function setup() {
  FakeSocket.all = [];
  globalMoves = [];
  const options: Pick<RealtimeOptions, 'checkSession' | 'gapsExpected' | 'startAfter'>[] = [];
  const createClient = vi.fn((opts: Pick<RealtimeOptions, 'checkSession' | 'gapsExpected' | 'startAfter'>) => {
    options.push(opts);
    return new RealtimeClient({ url: 'ws://crm.test/ws', WebSocket: FakeSocket, random: () => 0.5, ...opts });
  });
  const view = renderWithApp(
    <RealtimeProvider createClient={createClient}>
      <Probe />
    </RealtimeProvider>,
    { session },
  );
  const socket = () => FakeSocket.all[FakeSocket.all.length - 1] as FakeSocket;
  const server = (fn: (s: FakeSocket) => void) => act(() => fn(socket()));
  return { view, createClient, options, socket, server };
}

describe('RealtimeProvider', () => {
  it('opens one connection for the logged-in user and hands events to subscribers', () => {
    const { createClient, server, socket } = setup();
    expect(createClient).toHaveBeenCalledTimes(1);
    expect(FakeSocket.all).toHaveLength(1);
    // The stream starts after the session's last event, read before any page loaded.
    expect(socket().url).toBe('ws://crm.test/ws?after=10');
    server((s) => s.hello(10));
    expect(screen.getByRole('status')).toHaveTextContent('Обновления в реальном времени');

    server((s) =>
      s.receive({ type: 'client.moved', seq: 11, data: { client: { id: 7 }, from_stage_id: 1, to_stage_id: 2, reason: '' } }),
    );
    expect(globalMoves).toEqual([7]);
  });

  it('keeps the session organisation and the own user current', () => {
    const { server } = setup();
    server((s) => s.hello(10));
    server((s) => s.receive({ type: 'organisation.updated', seq: 11, data: { ...organisation, name: 'ООО Ромашка' } }));
    expect(screen.getByText('org: ООО Ромашка')).toBeInTheDocument();

    server((s) => s.receive({ type: 'user.updated', seq: 12, data: { ...user, id: 4, name: 'Пётр' } }));
    expect(screen.getByText('me: Мария')).toBeInTheDocument();
    server((s) => s.receive({ type: 'user.updated', seq: 13, data: { ...user, name: 'Мария Иванова' } }));
    expect(screen.getByText('me: Мария Иванова')).toBeInTheDocument();
  });

  it('expects gaps in seq only for an agent of an organisation that limits agents to their own clients', () => {
    const { options, server } = setup();
    expect(options[0]!.gapsExpected!()).toBe(true);
    server((s) => s.hello(10));
    server((s) =>
      s.receive({ type: 'organisation.updated', seq: 11, data: { ...organisation, agents_own_clients_only: false } }),
    );
    expect(options[0]!.gapsExpected!()).toBe(false);
  });

  it('checks the session with GET /auth/me: logged out on 401 only', async () => {
    const { options } = setup();
    const check = options[0]!.checkSession!;
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(jsonResponse(200, session)));
    await expect(check()).resolves.toBe(true);
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(jsonResponse(401, { code: 'unauthorized', error: 'Log in.' })));
    await expect(act(() => check())).resolves.toBe(false);
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(jsonResponse(502, {})));
    await expect(check()).rejects.toMatchObject({ status: 502 });
  });

  it('closes the connection at logout and never reconnects', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const { server, socket } = setup();
      server((s) => s.hello(10));
      const ws = socket();
      await userEvent.setup({ advanceTimers: vi.advanceTimersByTime }).click(screen.getByRole('button', { name: 'out' }));
      expect(ws.closedWith).toEqual({ code: 1000, reason: 'bye' });
      act(() => ws.serverClose(1000));
      act(() => vi.advanceTimersByTime(60_000));
      expect(FakeSocket.all).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('closes the connection when the page goes away', () => {
    const { view, server, socket } = setup();
    server((s) => s.hello(10));
    view.unmount();
    expect(socket().closedWith?.code).toBe(1000);
  });
});
