import { render, type RenderOptions } from '@testing-library/react';
import type { ReactElement, ReactNode } from 'react';
import { I18nextProvider } from 'react-i18next';
import { MemoryRouter } from 'react-router';
import { initI18n } from '../app/i18n';
import { ToastProvider } from '../components/ui/toast';
import type { Session } from '../lib/types';
import { SessionProvider } from '../stores/session-store';

interface Options extends RenderOptions {
  lng?: 'ru' | 'en';
  session?: Session | null;
  route?: string;
}

/** renderWithApp renders ui inside the providers the app gives every page. */
export function renderWithApp(ui: ReactElement, { lng = 'ru', session = null, route = '/', ...options }: Options = {}) {
  const i18n = initI18n(lng);
  const Wrapper = ({ children }: { children: ReactNode }) => (
    <I18nextProvider i18n={i18n}>
      <SessionProvider initial={session}>
        <ToastProvider>
          <MemoryRouter initialEntries={[route]}>{children}</MemoryRouter>
        </ToastProvider>
      </SessionProvider>
    </I18nextProvider>
  );
  return render(ui, { wrapper: Wrapper, ...options });
}

export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}
