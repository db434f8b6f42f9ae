import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MyDayItem } from '../features/my-day/api/my-day-api';
import type { PlanProgressReport } from '../features/plans/api/plans-api';
import type { Client, Session, Stage, User } from '../lib/types';
import { testSession, testUser } from '../test/fixtures';
import { createLiveBus } from '../test/live';
import { jsonResponse, renderWithApp } from '../test/render';
import { MyDayPage } from './my-day-page';

afterEach(() => vi.unstubAllGlobals());

const person = (id: number, name: string, role: User['role']): User => testUser({ id, email: `u${id}@demo.example`, name, role });
const anna = person(3, 'Анна Петрова', 'agent');
const boss = person(2, 'Елена Васильева', 'supervisor');
const session = (user: User): Session => testSession(user);
const stage = (id: number, name: string): Stage => ({
  id, name, position: id, kind: 'open', cooling_period: 5, cooling_unit: 'working_days', cooling_soon: 0, contact_limit: 7, client_count: 0, created_at: '',
});
const client = (id: number, name: string, over: Partial<Client> = {}): Client => ({
  id, name, company: '', phones: ['+79161234567'], email: '', channel: '', owner_id: 3, stage_id: 4,
  stage_entered_at: '2026-03-01T09:00:00Z', first_contact_at: null, last_contact_at: null, contacts: 0, stage_contacts: 0,
  attempts: 0, notes: '', cooling_soon_at: null, cools_at: null, cooling_state: 'ok', next_action_at: null, handed_off: false,
  created_at: '2026-03-01T09:00:00Z', updated_at: '', ...over,
});
const item = (section: MyDayItem['section'], c: Client, reason = ''): MyDayItem => ({ section, work_item_id: reason ? c.id * 10 : null, reason, client: c });

function stubServer(days: MyDayItem[][], plans: PlanProgressReport = { alert_threshold: 20, items: [] }) {
  const calls: string[] = [];
  let n = 0;
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL) => {
      const url = String(input);
      calls.push(url);
      if (url.startsWith('/api/v1/my-day')) return jsonResponse(200, { agent_id: 3, items: days[Math.min(n++, days.length - 1)] });
      if (url.startsWith('/api/v1/stages')) return jsonResponse(200, { items: [stage(1, 'Новый клиент'), stage(4, 'Тёплый клиент')] });
      if (url.startsWith('/api/v1/users')) return jsonResponse(200, { items: [boss, anna] });
      if (url.startsWith('/api/v1/plans/progress')) return jsonResponse(200, plans);
      return jsonResponse(404, { code: 'not_found', error: 'Not found.' });
    }),
  );
  return { calls };
}

const rows = () => within(screen.getByRole('list', { name: 'Клиенты на сегодня' })).getAllByRole('listitem');

describe('MyDayPage', () => {
  it('orders the day the seed\'s way and says why each client is there, with the numbers', async () => {
    // Given out of order, the day is shown callbacks and cooling soon first, then cooled, in progress, new.
    stubServer([
      [
        item('new', client(5, 'Новый Н')),
        item('cooled', client(2, 'Остывший О'), 'cooled: 6 working days in Тёплый клиент, limit 5'),
        item('in_progress', client(4, 'В работе В', { contacts: 2, next_action_at: '2026-03-05T10:00:00Z' })),
        item('callback', client(1, 'Перезвон П', { next_action_at: '2026-03-01T08:00:00Z' }), 'callback due 2026-03-01 11:00'),
        item('cooling_soon', client(3, 'Скоро С'), 'cooling soon: 4 working days in Тёплый клиент, cools at 5'),
      ],
    ]);
    renderWithApp(<MyDayPage />, { session: session(anna), route: '/my-day' });
    await screen.findByText('Остывший О');
    expect(rows().map((r) => r.getAttribute('aria-label'))).toEqual(['Перезвон П', 'Скоро С', 'Остывший О', 'В работе В', 'Новый Н']);
    const cooled = rows()[2]!;
    expect(within(cooled).getByTestId('my-day-reason')).toHaveTextContent('остыл: 6 рабочих дней в «Тёплый клиент», лимит 5');
    expect(within(cooled).getByText('Тёплый клиент')).toBeInTheDocument();
    expect(cooled).toHaveTextContent('Ответственный: Анна Петрова');
    expect(within(rows()[1]!).getByTestId('my-day-reason')).toHaveTextContent('скоро остынет: 4 рабочих дня в «Тёплый клиент» из 5');
    expect(within(cooled).getByRole('button', { name: 'Позвонить' })).toBeEnabled();
    expect(within(cooled).getByRole('link', { name: 'Открыть карточку' })).toHaveAttribute('href', '/clients/2');
    expect(screen.getByText('Плана на этот период нет.')).toBeInTheDocument();
  });

  it('fetches the day again when a work item appears, and shows the newly cooled client first', async () => {
    const { calls } = stubServer([
      [item('new', client(5, 'Новый Н'))],
      [item('cooled', client(2, 'Остывший О'), 'cooled: 6 working days in Тёплый клиент, limit 5'), item('new', client(5, 'Новый Н'))],
    ]);
    const bus = createLiveBus();
    renderWithApp(
      <bus.Provider>
        <MyDayPage />
      </bus.Provider>,
      { session: session(anna), route: '/my-day' },
    );
    await screen.findByText('Новый Н');
    expect(rows()).toHaveLength(1);
    bus.emit({
      type: 'work_item.created',
      data: { id: 20, kind: 'cooled', client_id: 2, client_name: 'Остывший О', owner_id: 3, owner_name: 'Анна Петрова', reason: '', created_at: '', closed_at: null, closed_by: null, decision: null },
    });
    await waitFor(() => expect(rows()[0]).toHaveAttribute('aria-label', 'Остывший О'));
    expect(calls.filter((u) => u.startsWith('/api/v1/my-day'))).toHaveLength(2);
  });

  it('lets a supervisor look at an agent\'s day, with that agent\'s plan', async () => {
    const { calls } = stubServer([[item('new', client(5, 'Новый Н'))]], {
      alert_threshold: 20,
      items: [
        {
          plan_id: 1, agent_id: 3, agent_name: 'Анна Петрова', period: 'day', period_start: '', period_end: '', elapsed: 0.5,
          metrics: [{ metric: 'contacts', target: 20, carried: 2, expected: 12, actual: 4, lag: 8, behind: true }],
        },
      ],
    });
    renderWithApp(<MyDayPage />, { session: session(boss), route: '/my-day' });
    await screen.findByText('Новый Н');
    expect(calls.find((u) => u.startsWith('/api/v1/my-day'))).toBe('/api/v1/my-day');
    await userEvent.selectOptions(screen.getByLabelText('Чей день'), 'Анна Петрова');
    await waitFor(() => expect(calls.filter((u) => u.startsWith('/api/v1/my-day')).at(-1)).toBe('/api/v1/my-day?agent_id=3'));
    const metric = await screen.findByRole('row', { name: /Контакты/ });
    expect(metric).toHaveAttribute('data-behind', 'true');
    expect(metric).toHaveTextContent(/Контакты\s*4\s*12\s*20\s*−8/);
  });
});
