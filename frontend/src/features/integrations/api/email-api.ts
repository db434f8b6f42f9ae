// The organisation's SMTP settings (backend/warmline/email.go,
// docs/integrations.md "E-mail").
import { request } from '../../../lib/api-client';

export const EMAIL_SECURITIES = ['none', 'starttls', 'tls'] as const;
export type EmailSecurity = (typeof EMAIL_SECURITIES)[number];

/** EmailSettings: the password is write-only; has_password says whether one is set. */
export interface EmailSettings {
  /** false: no SMTP server, no e-mail is sent. */
  configured: boolean;
  host: string;
  port: number;
  security: EmailSecurity;
  username: string;
  has_password: boolean;
  from_address: string;
  /** Zombie hand-offs go here when their stage names no address. */
  handoff_address: string;
  updated_at: string | null;
}

/** EmailSettingsInput: password is sent only when the admin typed a new one ("" removes it). */
export interface EmailSettingsInput {
  host?: string;
  port?: number;
  security?: EmailSecurity;
  username?: string;
  password?: string;
  from_address?: string;
  handoff_address?: string;
}

/** EmailTestResult is whether the SMTP server took the test e-mail, and if not what it said. */
export interface EmailTestResult {
  sent: boolean;
  error: string;
}

export function fetchEmailSettings(signal?: AbortSignal): Promise<EmailSettings> {
  return request<EmailSettings>('/email/settings', { signal });
}

export function saveEmailSettings(input: EmailSettingsInput): Promise<EmailSettings> {
  return request<EmailSettings>('/email/settings', { method: 'PUT', body: input });
}

export function deleteEmailSettings(): Promise<void> {
  return request<void>('/email/settings', { method: 'DELETE' });
}

export function sendTestEmail(to: string): Promise<EmailTestResult> {
  return request<EmailTestResult>('/email/test', { method: 'POST', body: { to } });
}
