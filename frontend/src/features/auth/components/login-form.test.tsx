import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { jsonResponse, renderWithApp } from '../../../test/render';
import { LoginForm } from './login-form';

afterEach(() => {
  vi.unstubAllGlobals();
});

const session = {
  user: { id: 1, org_id: 1, email: 'anna@example.com', name: 'Анна', role: 'admin', locale: 'ru', time_zone: 'Europe/Moscow', active: true, created_at: '' },
  organisation: { id: 1, name: 'Ромашка', default_country: 'RU', time_zone: 'Europe/Moscow', agents_own_clients_only: false, created_at: '' },
};

describe('LoginForm', () => {
  it('has labelled e-mail and password fields and a login button', () => {
    renderWithApp(<LoginForm onLoggedIn={() => undefined} />);
    expect(screen.getByLabelText('E-mail')).toHaveAttribute('type', 'email');
    expect(screen.getByLabelText('Пароль')).toHaveAttribute('type', 'password');
    expect(screen.getByRole('button', { name: 'Войти' })).toBeEnabled();
  });

  it('asks for both fields before calling the server', async () => {
    const fetchMock = vi.fn();
    vi.stubGlobal('fetch', fetchMock);
    renderWithApp(<LoginForm onLoggedIn={() => undefined} />);

    await userEvent.click(screen.getByRole('button', { name: 'Войти' }));

    expect(screen.getByLabelText('E-mail')).toHaveAccessibleDescription('Заполните это поле.');
    expect(screen.getByLabelText('Пароль')).toHaveAttribute('aria-invalid', 'true');
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('shows the field error the API names next to that field', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn().mockResolvedValue(jsonResponse(400, { code: 'invalid', error: '"anna@" is not a valid e-mail address.', field: 'email' })),
    );
    renderWithApp(<LoginForm onLoggedIn={() => undefined} />);

    await userEvent.type(screen.getByLabelText('E-mail'), 'anna@');
    await userEvent.type(screen.getByLabelText('Пароль'), 'secret-password');
    await userEvent.click(screen.getByRole('button', { name: 'Войти' }));

    const email = screen.getByLabelText('E-mail');
    await waitFor(() => expect(email).toHaveAttribute('aria-invalid', 'true'));
    expect(email).toHaveAccessibleDescription('"anna@" is not a valid e-mail address.');
    expect(screen.getByLabelText('Пароль')).not.toHaveAttribute('aria-invalid');
  });

  it('shows throttling (429 too_many) clearly, with the server message', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn().mockResolvedValue(jsonResponse(429, { code: 'too_many', error: 'Too many login attempts; try again in a minute.', field: '' })),
    );
    renderWithApp(<LoginForm onLoggedIn={() => undefined} />, { lng: 'en' });

    await userEvent.type(screen.getByLabelText('E-mail'), 'anna@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'secret-password');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Too many attempts');
    expect(alert).toHaveTextContent('Too many login attempts; try again in a minute.');
    expect(screen.getByRole('button', { name: 'Log in' })).toBeEnabled();
  });

  it('hands the session over on success', async () => {
    const fetchMock = vi.fn().mockResolvedValue(jsonResponse(200, session));
    vi.stubGlobal('fetch', fetchMock);
    const onLoggedIn = vi.fn();
    renderWithApp(<LoginForm onLoggedIn={onLoggedIn} />);

    await userEvent.type(screen.getByLabelText('E-mail'), ' anna@example.com ');
    await userEvent.type(screen.getByLabelText('Пароль'), 'secret-password');
    await userEvent.click(screen.getByRole('button', { name: 'Войти' }));

    await waitFor(() => expect(onLoggedIn).toHaveBeenCalledWith(session));
    const init = fetchMock.mock.calls[0]?.[1] as RequestInit;
    expect(JSON.parse(init.body as string)).toEqual({ email: 'anna@example.com', password: 'secret-password' });
  });
});
