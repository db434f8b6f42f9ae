import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLiveBus } from '../../../test/live';
import { fakeApi } from '../../../test/fake-api';
import { jsonResponse, renderWithApp } from '../../../test/render';
import type { Plan, PlanProgress, PlanProgressReport } from '../api/plans-api';
import { PlansManager } from './plans-manager';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const agents = [
  { id: 3, name: 'Мария', role: 'agent' as const },
  { id: 4, name: 'Пётр', role: 'agent' as const },
];

function plan(id: number, extra: Partial<Plan> = {}): Plan {
  return {
    id,
    agent_id: 3,
    agent_name: 'Мария',
    period: 'day',
    contacts: 40,
    new_clients: 0,
    advances: 0,
    wins: 2,
    starts_on: '2026-11-23',
    created_at: '2026-11-23T06:00:00Z',
    updated_at: '2026-11-23T06:00:00Z',
    ...extra,
  };
}

const dayProgress: PlanProgress = {
  plan_id: 1,
  agent_id: 3,
  agent_name: 'Мария',
  period: 'day',
  period_start: '2026-11-25T06:00:00Z',
  period_end: '2026-11-26T06:00:00Z',
  elapsed: 0.5,
  metrics: [
    { metric: 'contacts', target: 40, carried: 3, expected: 23, actual: 5, lag: 18, behind: true },
    { metric: 'wins', target: 2, carried: 0, expected: 1, actual: 1, lag: 0, behind: false },
  ],
};

/** errorOf is the message shown under the control labelled label inside container. */
function errorOf(container: HTMLElement, label: string): string | null {
  const ids = (within(container).getByLabelText(label).getAttribute('aria-describedby') ?? '')
    .split(' ')
    .filter((id) => id.endsWith('-error'));
  return ids.length ? (document.getElementById(ids[0]!)?.textContent ?? null) : null;
}

describe('PlansManager', () => {
  it('says when there are no plans', async () => {
    fakeApi({
      'GET /api/v1/plans': () => jsonResponse(200, { items: [] }),
      'GET /api/v1/plans/progress': () => jsonResponse(200, { alert_threshold: 20, items: [] }),
    });
    renderWithApp(<PlansManager agents={agents} canSetThreshold={false} />, { lng: 'en' });
    expect(await screen.findByText('No plans yet.')).toBeInTheDocument();
    expect(screen.getByText(/behind what is due by 20 % or more/)).toBeInTheDocument();
    expect(screen.queryByRole('form', { name: 'Alert threshold' })).not.toBeInTheDocument();
  });

  it('shows each plan with done / due by now / target and highlights the lag', async () => {
    fakeApi({
      'GET /api/v1/plans': () => jsonResponse(200, { items: [plan(2, { agent_id: 4, agent_name: 'Пётр', period: 'week', contacts: 0, advances: 5, wins: 0 }), plan(1)] }),
      'GET /api/v1/plans/progress': () =>
        jsonResponse(200, { alert_threshold: 20, items: [dayProgress] } satisfies PlanProgressReport),
    });
    renderWithApp(<PlansManager agents={agents} canSetThreshold={false} />, { lng: 'en' });
    await waitFor(() => expect(screen.getAllByTestId('plan-row')).toHaveLength(2));
    const [maria, petr] = screen.getAllByTestId('plan-row');
    expect(maria).toHaveTextContent('Мария');
    expect(maria).toHaveTextContent('50 % of the period gone');
    const cells = within(maria!).getAllByRole('cell');
    // Period, contacts, new clients, advances, wins, actions.
    expect(cells[1]).toHaveTextContent('5 / 23 / 40');
    expect(cells[1]).toHaveTextContent('behind by 18');
    expect(cells[1]).toHaveTextContent('incl. 3 carried over');
    expect(cells[1]!.querySelector('.plan-metric--behind')).not.toBeNull();
    expect(cells[1]!.querySelector('.plan-metric')).toHaveAttribute('title', 'Contacts: done 5, due by now 23, target 40');
    expect(cells[2]).toHaveTextContent('—');
    expect(cells[4]).toHaveTextContent('1 / 1 / 2');
    expect(cells[4]).not.toHaveTextContent('behind');
    // A plan without progress (an inactive agent) still shows its targets.
    expect(petr).toHaveTextContent('No progress: the agent is inactive.');
    expect(within(petr!).getAllByRole('cell')[3]).toHaveTextContent('— / — / 5');

    await userEvent.setup().selectOptions(screen.getByLabelText('Period'), 'week');
    expect(screen.getAllByTestId('plan-row')).toHaveLength(1);
    expect(screen.getByTestId('plan-row')).toHaveTextContent('Пётр');
  });

  it('checks the form before asking, then puts server errors at their field', async () => {
    const u = userEvent.setup();
    const calls = fakeApi({
      'GET /api/v1/plans': () => jsonResponse(200, { items: [] }),
      'GET /api/v1/plans/progress': () => jsonResponse(200, { alert_threshold: 20, items: [] }),
      'POST /api/v1/plans': () =>
        jsonResponse(409, { code: 'conflict', error: 'This agent already has a day plan; change it instead.', field: 'period' }),
    });
    renderWithApp(<PlansManager agents={agents} canSetThreshold={false} />, { lng: 'en' });
    await u.click(await screen.findByRole('button', { name: 'New plan' }));
    const form = screen.getByRole('form', { name: 'New plan' });
    await u.click(within(form).getByRole('button', { name: 'Save' }));
    expect(errorOf(form, 'Agent')).toBe('Choose the agent.');
    expect(errorOf(form, 'Contacts')).toBe('Set at least one target.');
    await u.clear(within(form).getByLabelText('Wins'));
    await u.type(within(form).getByLabelText('Wins'), '-1');
    await u.click(within(form).getByRole('button', { name: 'Save' }));
    expect(errorOf(form, 'Wins')).toBe('Enter a whole number from 0 to 100000.');
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);

    await u.selectOptions(within(form).getByLabelText('Agent'), 'Мария');
    await u.clear(within(form).getByLabelText('Wins'));
    await u.type(within(form).getByLabelText('Wins'), '2');
    await u.clear(within(form).getByLabelText('Contacts'));
    await u.type(within(form).getByLabelText('Contacts'), '40');
    await u.click(within(form).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(errorOf(form, 'Period')).toBe('This agent already has a day plan; change it instead.'));
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ agent_id: 3, period: 'day', contacts: 40, new_clients: 0, advances: 0, wins: 2 });
  });

  it('creates, changes and deletes plans and refetches on plan.changed', async () => {
    const u = userEvent.setup();
    vi.spyOn(window, 'confirm').mockReturnValue(true);
    let items: Plan[] = [plan(1)];
    const calls = fakeApi({
      'GET /api/v1/plans': () => jsonResponse(200, { items }),
      'GET /api/v1/plans/progress': () => jsonResponse(200, { alert_threshold: 20, items: [dayProgress] }),
      'POST /api/v1/plans': (body) => {
        const created = plan(2, { ...(body as Partial<Plan>), agent_name: 'Пётр' });
        items = [...items, created];
        return jsonResponse(201, created);
      },
      'PATCH /api/v1/plans/1': (body) => jsonResponse(200, plan(1, body as Partial<Plan>)),
      'DELETE /api/v1/plans/1': () => new Response(null, { status: 204 }),
    });
    const bus = createLiveBus();
    renderWithApp(
      <bus.Provider>
        <PlansManager agents={agents} canSetThreshold={false} />
      </bus.Provider>,
      { lng: 'en' },
    );
    await u.click(await screen.findByRole('button', { name: 'Edit: Мария, Day' }));
    const edit = screen.getByRole('form', { name: 'Plan of Мария' });
    expect(within(edit).getByLabelText('Agent')).toBeDisabled();
    expect(within(edit).getByLabelText('Period')).toBeDisabled();
    await u.clear(within(edit).getByLabelText('Contacts'));
    await u.type(within(edit).getByLabelText('Contacts'), '50');
    await u.click(within(edit).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.queryByRole('form', { name: 'Plan of Мария' })).not.toBeInTheDocument());
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ contacts: 50, new_clients: 0, advances: 0, wins: 2, starts_on: '2026-11-23' });

    await u.click(screen.getByRole('button', { name: 'New plan' }));
    const create = screen.getByRole('form', { name: 'New plan' });
    await u.selectOptions(within(create).getByLabelText('Agent'), 'Пётр');
    await u.selectOptions(within(create).getByLabelText('Period'), 'month');
    await u.clear(within(create).getByLabelText('Stage advances'));
    await u.type(within(create).getByLabelText('Stage advances'), '12');
    await u.click(within(create).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.getAllByTestId('plan-row')).toHaveLength(2));
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ agent_id: 4, period: 'month', contacts: 0, new_clients: 0, advances: 12, wins: 0 });

    await u.click(screen.getByRole('button', { name: 'Delete: Мария, Day' }));
    await waitFor(() => expect(screen.getAllByTestId('plan-row')).toHaveLength(1));
    expect(calls.some((c) => c.method === 'DELETE' && c.url === '/api/v1/plans/1')).toBe(true);

    const gets = calls.filter((c) => c.method === 'GET' && c.url === '/api/v1/plans').length;
    bus.emit({ type: 'plan.changed', data: { id: 2, agent_id: 4, deleted: false } });
    await waitFor(() => expect(calls.filter((c) => c.method === 'GET' && c.url === '/api/v1/plans').length).toBe(gets + 1));
  });

  it('lets admins change the alert threshold', async () => {
    const u = userEvent.setup();
    let threshold = 20;
    const calls = fakeApi({
      'GET /api/v1/plans': () => jsonResponse(200, { items: [] }),
      'GET /api/v1/plans/progress': () => jsonResponse(200, { alert_threshold: threshold, items: [] }),
      'PUT /api/v1/plans/settings': (body) => {
        threshold = body?.alert_threshold as number;
        return jsonResponse(200, { alert_threshold: threshold });
      },
    });
    renderWithApp(<PlansManager agents={agents} canSetThreshold />, { lng: 'en' });
    const form = await screen.findByRole('form', { name: 'Alert threshold' });
    const input = within(form).getByLabelText('Alert threshold');
    await u.clear(input);
    await u.type(input, '0');
    await u.click(within(form).getByRole('button', { name: 'Save' }));
    expect(errorOf(form, 'Alert threshold')).toBe('Enter a whole number from 1 to 100.');
    await u.clear(input);
    await u.type(input, '35');
    await u.click(within(form).getByRole('button', { name: 'Save' }));
    expect(await screen.findByText(/behind what is due by 35 % or more/)).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ alert_threshold: 35 });
  });
});
