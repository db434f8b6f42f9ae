import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../lib/api-client';
import { renderWithApp } from '../../../test/render';
import type { Trunk } from '../api/trunks-api';
import { TrunkForm } from './trunk-form';

const existing: Trunk = {
  id: 4,
  name: 'Провайдер',
  host: 'sip.example.com',
  port: 5060,
  transport: 'udp',
  auth_mode: 'register',
  username: 'org42',
  has_password: true,
  register_expires: 300,
  outbound_proxy: '',
  caller_id: '+74950000000',
  codecs: ['PCMU', 'PCMA'],
  allowed_sources: ['203.0.113.0/24'],
  enabled: true,
  created_at: '',
  updated_at: '',
};

/** fieldError is the message shown under the control labelled label. */
function fieldError(label: string): string | null {
  const control = screen.getByLabelText(label);
  const ids = (control.getAttribute('aria-describedby') ?? '').split(' ').filter((id) => id.endsWith('-error'));
  return ids.length ? (document.getElementById(ids[0] as string)?.textContent ?? null) : null;
}

describe('TrunkForm', () => {
  it('tells what is missing next to each field before asking the server', async () => {
    const u = userEvent.setup();
    const onSubmit = vi.fn();
    renderWithApp(<TrunkForm onSubmit={onSubmit} onCancel={() => undefined} />, { lng: 'en' });
    await u.clear(screen.getByLabelText('Port'));
    await u.type(screen.getByLabelText('Port'), '70000');
    await u.click(screen.getByRole('button', { name: 'Save' }));
    expect(onSubmit).not.toHaveBeenCalled();
    expect(fieldError('Name')).toBe('Please fill in this field.');
    expect(fieldError('Host')).toBe('Please fill in this field.');
    expect(fieldError('Port')).toBe('Enter a port from 1 to 65535.');
    expect(fieldError('Login')).toBe('Registration needs the login your provider gave you.');
    expect(fieldError('Password')).toBe('Registration needs the password your provider gave you.');
    expect(screen.getByLabelText('Name')).toHaveAttribute('aria-invalid', 'true');
  });

  it('puts the server error under the field it names, allowed_sources[1] under the sources', async () => {
    const u = userEvent.setup();
    const onSubmit = vi.fn().mockRejectedValue(new ApiError(400, 'invalid', '"10.0.0.999" is not an IP address.', 'allowed_sources[1]'));
    renderWithApp(<TrunkForm trunk={existing} onSubmit={onSubmit} onCancel={() => undefined} />, { lng: 'en' });
    await u.type(screen.getByLabelText('Allowed sources'), '\n10.0.0.999');
    await u.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(fieldError('Allowed sources')).toBe('"10.0.0.999" is not an IP address.'));
    expect(onSubmit.mock.calls[0]?.[0].allowed_sources).toEqual(['203.0.113.0/24', '10.0.0.999']);
  });

  it('keeps a set password unless a new one is typed, and says whether one is set', async () => {
    const u = userEvent.setup();
    const onSubmit = vi.fn().mockResolvedValue(undefined);
    renderWithApp(<TrunkForm trunk={existing} onSubmit={onSubmit} onCancel={() => undefined} />, { lng: 'en' });
    expect(screen.getByText('A password is set. Type a new one to replace it.')).toBeInTheDocument();
    await u.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(onSubmit.mock.calls[0]?.[0]).not.toHaveProperty('password');
    await u.type(screen.getByLabelText('Password'), 's3cret');
    await u.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(2));
    expect(onSubmit.mock.calls[1]?.[0]).toMatchObject({ password: 's3cret', username: 'org42', codecs: ['PCMU', 'PCMA'] });
  });

  it('asks for no login with IP authentication', async () => {
    const u = userEvent.setup();
    const onSubmit = vi.fn().mockResolvedValue(undefined);
    renderWithApp(<TrunkForm onSubmit={onSubmit} onCancel={() => undefined} />, { lng: 'en' });
    await u.type(screen.getByLabelText('Name'), 'Оператор');
    await u.type(screen.getByLabelText('Host'), '198.51.100.7');
    await u.selectOptions(screen.getByLabelText('Authentication'), 'ip');
    expect(screen.queryByLabelText('Login')).not.toBeInTheDocument();
    await u.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalled());
    expect(onSubmit.mock.calls[0]?.[0]).toMatchObject({ name: 'Оператор', host: '198.51.100.7', auth_mode: 'ip', port: 5060, username: '' });
  });
});
