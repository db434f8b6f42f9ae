import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi } from '../../../test/fake-api';
import { jsonResponse, renderWithApp } from '../../../test/render';
import type { EmailSettings } from '../api/email-api';
import { EmailSettingsPanel } from './email-settings';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const unset: EmailSettings = {
  configured: false,
  host: '',
  port: 587,
  security: 'starttls',
  username: '',
  has_password: false,
  from_address: '',
  handoff_address: '',
  updated_at: null,
};

const saved: EmailSettings = {
  configured: true,
  host: 'smtp.example.com',
  port: 587,
  security: 'starttls',
  username: 'sales',
  has_password: true,
  from_address: 'sales@example.com',
  handoff_address: 'news@example.com',
  updated_at: '2026-11-20T10:00:00Z',
};

/** errorOf is the message shown under the control labelled label. */
function errorOf(label: string): string | null {
  const ids = (screen.getByLabelText(label).getAttribute('aria-describedby') ?? '').split(' ').filter((id) => id.endsWith('-error'));
  return ids.length ? (document.getElementById(ids[0]!)?.textContent ?? null) : null;
}

describe('EmailSettingsPanel', () => {
  it('says e-mail is not set up, asks for the required fields and cannot send a test yet', async () => {
    const u = userEvent.setup();
    const calls = fakeApi({ 'GET /api/v1/email/settings': () => jsonResponse(200, unset) });
    renderWithApp(<EmailSettingsPanel />, { lng: 'en' });
    expect(await screen.findByText('E-mail is not set up: no e-mails are sent.')).toBeInTheDocument();
    expect(screen.getByText('No password is set.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Send a test e-mail' })).toBeDisabled();
    expect(screen.queryByRole('button', { name: 'Turn e-mail off' })).not.toBeInTheDocument();
    await u.clear(screen.getByLabelText('Port'));
    await u.type(screen.getByLabelText('Port'), '0');
    await u.click(screen.getByRole('button', { name: 'Save' }));
    expect(errorOf('SMTP server')).toBe('Please fill in this field.');
    expect(errorOf('Port')).toBe('Enter a port from 1 to 65535.');
    expect(errorOf('From address')).toBe('Please fill in this field.');
    expect(calls.filter((c) => c.method === 'PUT')).toHaveLength(0);
  });

  it('keeps the saved password unless a new one is typed or removal is asked', async () => {
    const u = userEvent.setup();
    const calls = fakeApi({
      'GET /api/v1/email/settings': () => jsonResponse(200, saved),
      'PUT /api/v1/email/settings': (body) =>
        jsonResponse(200, { ...saved, has_password: body?.password === undefined ? true : body.password !== '', updated_at: `2026-11-21T10:0${calls.length}:00Z` }),
    });
    renderWithApp(<EmailSettingsPanel />, { lng: 'en' });
    expect(await screen.findByText('A password is set. Type a new one to replace it.')).toBeInTheDocument();
    expect(screen.getByLabelText('Password')).toHaveValue('');
    await u.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(calls.filter((c) => c.method === 'PUT')).toHaveLength(1));
    expect(calls.at(-1)?.body).toEqual({
      host: 'smtp.example.com',
      port: 587,
      security: 'starttls',
      username: 'sales',
      from_address: 'sales@example.com',
      handoff_address: 'news@example.com',
    });

    await u.type(await screen.findByLabelText('Password'), 'n3w-pass');
    await u.selectOptions(screen.getByLabelText('Security'), 'tls');
    await u.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(calls.filter((c) => c.method === 'PUT')).toHaveLength(2));
    expect(calls.at(-1)?.body).toMatchObject({ password: 'n3w-pass', security: 'tls' });

    await u.click(await screen.findByLabelText('Remove the saved password'));
    await u.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(calls.filter((c) => c.method === 'PUT')).toHaveLength(3));
    expect(calls.at(-1)?.body).toMatchObject({ password: '' });
    expect(await screen.findByText('No password is set.')).toBeInTheDocument();
  });

  it("puts the server's refusal under the field it names", async () => {
    const u = userEvent.setup();
    fakeApi({
      'GET /api/v1/email/settings': () => jsonResponse(200, saved),
      'PUT /api/v1/email/settings': () =>
        jsonResponse(400, { code: 'invalid', error: 'SMTP servers on private addresses are not allowed.', field: 'host' }),
    });
    renderWithApp(<EmailSettingsPanel />, { lng: 'en' });
    await u.click(await screen.findByRole('button', { name: 'Save' }));
    await waitFor(() => expect(errorOf('SMTP server')).toBe('SMTP servers on private addresses are not allowed.'));
  });

  it("shows the SMTP server's answer to a test e-mail", async () => {
    const u = userEvent.setup();
    let answer = { sent: false, error: '535 5.7.8 authentication failed' };
    const calls = fakeApi({
      'GET /api/v1/email/settings': () => jsonResponse(200, saved),
      'POST /api/v1/email/test': () => jsonResponse(200, answer),
    });
    renderWithApp(<EmailSettingsPanel />, { lng: 'en' });
    const form = await screen.findByRole('form', { name: 'Test e-mail' });
    await u.click(within(form).getByRole('button', { name: 'Send a test e-mail' }));
    expect(within(form).getByLabelText('Send to')).toHaveAttribute('aria-invalid', 'true');
    await u.type(within(form).getByLabelText('Send to'), 'boss@example.com');
    await u.click(within(form).getByRole('button', { name: 'Send a test e-mail' }));
    expect(await within(form).findByText('The server did not accept the e-mail')).toBeInTheDocument();
    expect(within(form).getByText('535 5.7.8 authentication failed')).toBeInTheDocument();
    expect(calls.at(-1)).toMatchObject({ method: 'POST', body: { to: 'boss@example.com' } });

    answer = { sent: true, error: '' };
    await u.click(within(form).getByRole('button', { name: 'Send a test e-mail' }));
    expect(await within(form).findByText('Sent: the server accepted the e-mail.')).toBeInTheDocument();
    expect(within(form).queryByText('535 5.7.8 authentication failed')).not.toBeInTheDocument();
  });

  it('turns e-mail off after asking', async () => {
    const u = userEvent.setup();
    vi.spyOn(window, 'confirm').mockReturnValue(true);
    const calls = fakeApi({
      'GET /api/v1/email/settings': () => jsonResponse(200, saved),
      'DELETE /api/v1/email/settings': () => new Response(null, { status: 204 }),
    });
    renderWithApp(<EmailSettingsPanel />, { lng: 'en' });
    await u.click(await screen.findByRole('button', { name: 'Turn e-mail off' }));
    expect(await screen.findByText('E-mail is not set up: no e-mails are sent.')).toBeInTheDocument();
    expect(calls.some((c) => c.method === 'DELETE')).toBe(true);
    expect(screen.getByRole('button', { name: 'Send a test e-mail' })).toBeDisabled();
  });
});
