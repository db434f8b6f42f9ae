import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Session, User } from '../lib/types';
import { testSession, testUser } from '../test/fixtures';
import { jsonResponse, renderWithApp } from '../test/render';
import { PlansPage } from './plans-page';

afterEach(() => {
  vi.unstubAllGlobals();
});

const user = (id: number, name: string, role: User['role'], active = true): User => testUser({ id, email: `${id}@demo.example`, name, role, active });
const session = (role: User['role']): Session => testSession(user(1, 'Ольга', role));

describe('PlansPage', () => {
  it('is for supervisors: an agent is told so and nothing is fetched', () => {
    const fetchMock = vi.fn();
    vi.stubGlobal('fetch', fetchMock);
    renderWithApp(<PlansPage />, { session: session('agent'), route: '/plans' });
    expect(screen.getByRole('heading', { name: 'Планы' })).toBeInTheDocument();
    expect(screen.getByText('Этот раздел доступен руководителям и администраторам.')).toBeInTheDocument();
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('offers a new plan to the active users only', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        if (url === '/api/v1/users')
          return jsonResponse(200, { items: [user(1, 'Ольга', 'supervisor'), user(3, 'Мария', 'agent'), user(5, 'Иван', 'agent', false)] });
        if (url === '/api/v1/plans') return jsonResponse(200, { items: [] });
        return jsonResponse(200, { alert_threshold: 20, items: [] });
      }),
    );
    renderWithApp(<PlansPage />, { session: session('supervisor'), route: '/plans' });
    expect(await screen.findByText('Планов пока нет.')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Новый план' }));
    const form = await waitFor(() => screen.getByRole('form', { name: 'Новый план' }));
    const options = [...(within(form).getByLabelText('Сотрудник') as HTMLSelectElement).options].map((o) => o.textContent);
    expect(options).toEqual(['Выберите сотрудника.', 'Мария', 'Ольга (Руководитель)']);
  });
});
