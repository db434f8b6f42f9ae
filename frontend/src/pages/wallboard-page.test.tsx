import { act, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Call, CallsReport, FunnelReport, Presence, Session, User } from '../lib/types';
import { testSession, testUser } from '../test/fixtures';
import { createLiveBus } from '../test/live';
import { jsonResponse, renderWithApp } from '../test/render';
import { WallboardPage } from './wallboard-page';

const NOW = new Date('2026-03-02T10:00:00Z').getTime();

beforeEach(() => {
  vi.useFakeTimers({ shouldAdvanceTime: true, toFake: ['Date', 'setInterval', 'clearInterval'] });
  vi.setSystemTime(NOW);
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const session = (role: User['role']): Session => testSession(testUser({ id: 1, email: 'boss@demo.example', name: 'Ольга', role }));

const ago = (s: number) => new Date(NOW - s * 1000).toISOString();
const presence = (user_id: number, name: string, state: Presence['state'], since: string, reason = ''): Presence => ({
  user_id,
  name,
  role: 'agent',
  state,
  reason,
  since,
});

const report: FunnelReport = {
  since: ago(30 * 86400),
  stages: [
    { stage_id: 1, name: 'Новый', kind: 'open', clients: 14, cooling_soon: 3, cooled: 2, entered: 20, advanced: 9, conversion: 0.45 },
    { stage_id: 2, name: 'Демо', kind: 'open', clients: 4, cooling_soon: 0, cooled: 0, entered: 0, advanced: 0, conversion: 0 },
    { stage_id: 3, name: 'Сделка', kind: 'won', clients: 5, cooling_soon: 0, cooled: 0, entered: 5, advanced: 0, conversion: 0 },
  ],
};

const liveCall = (over: Partial<Call>): Call => ({
  id: 1,
  direction: 'inbound',
  from: '+79161234567',
  to: '+74950000000',
  trunk_id: 1,
  line_id: 1,
  agent_id: 5,
  agent_name: 'Вера Лебедева',
  client_id: 7,
  client_name: 'ООО Ромашка',
  client_owner_id: 5,
  status: 'answered',
  held: false,
  created_at: ago(200),
  ringing_at: ago(200),
  answered_at: ago(125),
  ended_at: null,
  outcome: null,
  missed_reason: null,
  sip_cause: null,
  end_reason: '',
  hangup_side: null,
  ...over,
});

let callsReport: CallsReport = {
  live: [],
  today: { since: ago(36000), inbound: 0, outbound: 0, answered: 0, missed: 0, not_called_back: 0 },
};

function stubServer() {
  const calls: string[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL) => {
    const url = String(input);
    calls.push(url);
    if (url.startsWith('/api/v1/presence')) {
      return jsonResponse(200, {
        items: [
          presence(2, 'Пётр Иванов', 'offline', ago(3600)),
          presence(3, 'Анна Смирнова', 'away', ago(185), 'Обед'),
          presence(4, 'Борис Ким', 'available', ago(42)),
          presence(5, 'Вера Лебедева', 'on_call', ago(600)),
        ],
      });
    }
    if (url.startsWith('/api/v1/reports/funnel')) return jsonResponse(200, report);
    if (url.startsWith('/api/v1/reports/calls')) return jsonResponse(200, callsReport);
    // Rules engine (issue 5): no plans yet, the plans panel's empty state.
    if (url.startsWith('/api/v1/plans/progress')) return jsonResponse(200, { alert_threshold: 20, items: [] });
    return jsonResponse(404, { code: 'not_found', error: 'Not found.' });
  });
  vi.stubGlobal('fetch', fetchMock);
  return { calls };
}

/** renderWallboard shows the page to a user of that role, with a live bus the test emits on. */
function renderWallboard(role: User['role']) {
  const bus = createLiveBus();
  renderWithApp(
    <bus.Provider>
      <WallboardPage />
    </bus.Provider>,
    { session: session(role), route: '/wallboard' },
  );
  return bus;
}

describe('WallboardPage', () => {
  it('shows a tile per agent in state order, with the counts and the time in state', async () => {
    stubServer();
    renderWallboard('supervisor');
    expect(screen.getByRole('heading', { level: 1, name: 'Табло' })).toBeInTheDocument();
    // Named so that a non-exact match of "Агенты" (as Playwright does) finds this list only.
    const list = await screen.findByRole('list', { name: /Агенты/ });
    const tiles = within(list).getAllByRole('listitem');
    expect(tiles.map((t) => t.textContent)).toEqual([
      expect.stringContaining('Борис Ким'),
      expect.stringContaining('Вера Лебедева'),
      expect.stringContaining('Анна Смирнова'),
      expect.stringContaining('Пётр Иванов'),
    ]);
    const anna = within(list).getByRole('listitem', { name: /^Анна Смирнова Отошёл Обед/ });
    expect(anna).toHaveTextContent('3 мин 05 с');
    expect(within(list).getByRole('listitem', { name: /^Борис Ким Доступен/ })).toHaveTextContent('42 с');
    expect(within(list).getByRole('listitem', { name: /^Вера Лебедева Разговор/ })).toBeInTheDocument();
    expect(within(list).getByRole('listitem', { name: /^Пётр Иванов Не в сети/ })).toHaveTextContent('1 ч 00 мин');

    const counts = screen.getByRole('list', { name: 'Сводка по статусам' });
    expect(within(counts).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      '1Доступны',
      '0Вызов',
      '1Разговаривают',
      '0Постобработка',
      '1Отошли',
      '1Не в сети',
    ]);

    // The time counts up every second.
    act(() => {
      vi.advanceTimersByTime(2000);
    });
    expect(anna).toHaveTextContent('3 мин 07 с');
  });

  it('applies agent.state_changed at once', async () => {
    stubServer();
    const bus = renderWallboard('supervisor');
    const list = await screen.findByRole('list', { name: 'Агенты' });
    bus.emit({ type: 'agent.state_changed', data: presence(2, 'Пётр Иванов', 'available', ago(0)) });
    expect(within(list).getByRole('listitem', { name: /^Пётр Иванов Доступен/ })).toBeInTheDocument();
    expect(within(list).getAllByRole('listitem')[0]).toHaveTextContent('Борис Ким');
    expect(within(list).getAllByRole('listitem')[1]).toHaveTextContent('Пётр Иванов');
    const counts = screen.getByRole('list', { name: 'Сводка по статусам' });
    expect(within(counts).getAllByRole('listitem')[0]).toHaveTextContent('2Доступны');
    expect(within(counts).getAllByRole('listitem')[5]).toHaveTextContent('0Не в сети');
  });

  it('shows the funnel with conversion and refetches it after client events', async () => {
    const { calls } = stubServer();
    const bus = renderWallboard('admin');
    const table = await screen.findByRole('table', { name: 'Воронка' });
    const rows = within(table).getAllByRole('row');
    expect(rows[1]).toHaveTextContent(/Новый\s*14\s*3\s*245\s*%9 из 20/);
    expect(rows[2]).toHaveTextContent(/Демо\s*4\s*0\s*0—/);
    expect(rows[3]).toHaveTextContent(/Сделка\s*5\s*0\s*0—/);
    const funnelCalls = () => calls.filter((u) => u.includes('/reports/funnel')).length;
    expect(funnelCalls()).toBe(1);
    expect(decodeURIComponent(calls.find((u) => u.includes('/reports/funnel')) ?? '')).toContain('since=2026-01-31T10:00:00');

    bus.emit({ type: 'clients.imported', data: { created: 3 } });
    bus.emit({ type: 'clients.imported', data: { created: 4 } });
    await waitFor(() => expect(funnelCalls()).toBe(2), { timeout: 1000 });

    expect(await screen.findByText(/Планов пока нет/)).toBeInTheDocument();
  });

  it('shows today’s call figures and the calls in progress with their duration, and refetches after call events', async () => {
    callsReport = {
      live: [
        liveCall({}),
        liveCall({ id: 2, direction: 'outbound', from: '+74950000000', to: '+79995550000', client_id: null, client_name: '', status: 'ringing', answered_at: null, created_at: ago(5) }),
      ],
      today: { since: ago(36000), inbound: 12, outbound: 30, answered: 25, missed: 4, not_called_back: 2 },
    };
    const { calls } = stubServer();
    const bus = renderWallboard('supervisor');
    const live = await screen.findByTestId('live-calls');
    expect(screen.getByTestId('call-stat-liveCalls')).toHaveTextContent('2');
    expect(screen.getByTestId('call-stat-answered')).toHaveTextContent('25');
    expect(screen.getByTestId('call-stat-missed')).toHaveTextContent('4');
    expect(screen.getByTestId('call-stat-notCalledBack')).toHaveTextContent('2');
    const rows = within(live).getAllByTestId('live-call');
    expect(rows[0]).toHaveTextContent(/Входящий.*ООО Ромашка.*Вера Лебедева.*Разговор.*2 мин 05 с/);
    expect(rows[1]).toHaveTextContent(/Исходящий.*\+7 999 555-00-00.*Вызов.*5 с/);
    act(() => {
      vi.advanceTimersByTime(1000);
    });
    expect(rows[0]).toHaveTextContent('2 мин 06 с');

    const reportCalls = () => calls.filter((u) => u.includes('/reports/calls')).length;
    expect(reportCalls()).toBe(1);
    bus.emit({ type: 'call.ended', data: liveCall({ status: 'ended' }) });
    bus.emit({ type: 'call.answered', data: liveCall({ id: 2 }) });
    await waitFor(() => expect(reportCalls()).toBe(2), { timeout: 1000 });
  });

  it('tells an agent the page is not for them, without asking the server', () => {
    const { calls } = stubServer();
    renderWithApp(<WallboardPage />, { session: session('agent'), route: '/wallboard' });
    expect(screen.getByRole('heading', { name: 'Табло' })).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent(/руководител/i);
    expect(calls).toEqual([]);
  });
});
