import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Call, PlanAlert, Session, User } from '../../lib/types';
import { testSession, testUser } from '../../test/fixtures';
import { createLiveBus } from '../../test/live';
import { jsonResponse, renderWithApp } from '../../test/render';
import { AlertCenter } from './alert-center';
import type { BackgroundSignalEnv } from './background-signal';

afterEach(() => vi.unstubAllGlobals());

const session = (role: User['role'], id = 5): Session => testSession(testUser({ id, email: 'u@demo.example', name: 'Анна', role }));

function missed(over: Partial<Call> = {}): Call {
  return {
    id: 1,
    direction: 'inbound',
    from: '+79161234567',
    to: '+74950000000',
    trunk_id: 1,
    line_id: 1,
    agent_id: null,
    agent_name: '',
    client_id: 7,
    client_name: 'ООО Ромашка',
    client_owner_id: 5,
    status: 'ended',
    held: false,
    created_at: '2026-03-02T10:00:00Z',
    ringing_at: '2026-03-02T10:00:00Z',
    answered_at: null,
    ended_at: '2026-03-02T10:00:30Z',
    outcome: 'missed',
    missed_reason: 'all_busy',
    sip_cause: 480,
    end_reason: 'no_answer',
    hangup_side: 'system',
    ...over,
  };
}

function hiddenTab() {
  const notifications: { title: string; body?: string; tag?: string }[] = [];
  class FakeNotification {
    static permission: NotificationPermission = 'granted';
    constructor(title: string, options?: NotificationOptions) {
      notifications.push({ title, body: options?.body, tag: options?.tag });
    }
  }
  const env: BackgroundSignalEnv = {
    document: { hidden: true },
    Notification: FakeNotification,
    now: () => 0,
  };
  return { env, notifications };
}

function setup(s: Session, env?: BackgroundSignalEnv) {
  const bus = createLiveBus();
  renderWithApp(
    <bus.Provider>
      <AlertCenter signalEnv={env} />
    </bus.Provider>,
    { session: s },
  );
  return bus;
}

describe('AlertCenter', () => {
  it('shows a missed call to the client’s owner with the reason, and groups repeats from the same caller into one card', () => {
    const bus = setup(session('agent', 5));
    bus.emit({ type: 'call.missed', data: missed() });
    const card = screen.getByTestId('missed-call-alert');
    expect(card).toHaveTextContent('Пропущенный звонок');
    expect(card).toHaveTextContent('ООО Ромашка');
    expect(card).toHaveTextContent('все менеджеры были заняты');

    bus.emit({ type: 'call.missed', data: missed({ id: 2 }) });
    bus.emit({ type: 'call.missed', data: missed({ id: 3 }) });
    expect(screen.getAllByTestId('missed-call-alert')).toHaveLength(1);
    expect(screen.getByTestId('missed-call-alert')).toHaveTextContent('3 пропущенных звонка');
  });

  it('does not show an agent the missed call of another agent’s client', () => {
    const agent = setup(session('agent', 6));
    agent.emit({ type: 'call.missed', data: missed() });
    expect(screen.queryByTestId('missed-call-alert')).toBeNull();
  });

  it('shows every missed call to supervisors, at most three cards, the rest counted', () => {
    const bus = setup(session('supervisor', 1));
    for (let i = 0; i < 5; i++) bus.emit({ type: 'call.missed', data: missed({ id: i, from: `+7916123456${i}`, client_owner_id: 9 }) });
    expect(screen.getAllByTestId('missed-call-alert')).toHaveLength(3);
    expect(screen.getByTestId('alert-center')).toHaveTextContent('и ещё 2 оповещения');
  });

  it('closes the card once a later call with that number connects', () => {
    const bus = setup(session('supervisor', 1));
    bus.emit({ type: 'call.missed', data: missed() });
    bus.emit({
      type: 'call.answered',
      data: missed({ id: 9, direction: 'outbound', from: '+74950000000', to: '+79161234567', outcome: null, status: 'answered' }),
    });
    expect(screen.queryByTestId('missed-call-alert')).toBeNull();
  });

  it('calls back in one click (the agent’s softphone rings first) and says so when the softphone is off', async () => {
    const fetchMock = vi
      .fn()
      .mockResolvedValueOnce(jsonResponse(409, { code: 'conflict', error: 'softphone is off' }))
      .mockResolvedValueOnce(jsonResponse(201, { call_id: 44 }));
    vi.stubGlobal('fetch', fetchMock);
    const bus = setup(session('agent', 5));
    bus.emit({ type: 'call.missed', data: missed() });

    fireEvent.click(within(screen.getByTestId('missed-call-alert')).getByRole('button', { name: 'Перезвонить' }));
    expect(await screen.findByText('Включите софтфон, чтобы перезвонить.')).toBeInTheDocument();
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(url).toContain('/api/v1/calls');
    expect(JSON.parse(init.body as string)).toEqual({ to: '+79161234567', client_id: 7 });

    fireEvent.click(within(screen.getByTestId('missed-call-alert')).getByRole('button', { name: 'Перезвонить' }));
    await waitFor(() => expect(screen.queryByTestId('missed-call-alert')).toBeNull());
  });

  it('in a hidden tab, notifies once per caller group (the tag replaces the earlier notification)', () => {
    const { env, notifications } = hiddenTab();
    const bus = setup(session('supervisor', 1), env);
    bus.emit({ type: 'call.missed', data: missed() });
    bus.emit({ type: 'call.missed', data: missed({ id: 2 }) });
    expect(notifications).toEqual([
      { title: 'Пропущенный звонок', body: 'ООО Ромашка', tag: 'missed:+79161234567' },
      { title: 'Пропущенный звонок', body: 'ООО Ромашка', tag: 'missed:+79161234567' },
    ]);
  });

  it('shows plan alerts to supervisors only', () => {
    const alert: PlanAlert = {
      plan_id: 1,
      agent_id: 5,
      metric: 'contacts',
      target: 40,
      actual: 2,
      expected: 10,
      lag: 8,
      reason: 'Анна: 2 контакта из 10 ожидаемых к 11:00',
    };
    const sup = setup(session('supervisor', 1));
    sup.emit({ type: 'plan.alert', data: alert });
    sup.emit({ type: 'plan.alert', data: { ...alert, actual: 3 } });
    expect(screen.getAllByTestId('plan-alert')).toHaveLength(1);
    expect(screen.getByTestId('plan-alert')).toHaveAttribute('data-count', '2');
  });

  it('shows no plan alert to an agent', () => {
    const bus = setup(session('agent', 5));
    bus.emit({
      type: 'plan.alert',
      data: { plan_id: 1, agent_id: 5, metric: 'contacts', target: 40, actual: 2, expected: 10, lag: 8, reason: 'x' },
    });
    expect(screen.queryByTestId('plan-alert')).toBeNull();
  });
});
