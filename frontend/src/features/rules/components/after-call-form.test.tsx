import { fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { jsonResponse, renderWithApp } from '../../../test/render';
import { AfterCallForm } from './after-call-form';

interface Sent {
  url: string;
  method: string;
  body: unknown;
}
let sent: Sent[] = [];

beforeEach(() => {
  sent = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      sent.push({ url: String(input), method: init?.method ?? 'GET', body: init?.body ? JSON.parse(String(init.body)) : undefined });
      return jsonResponse(200, {});
    }),
  );
});
afterEach(() => vi.unstubAllGlobals());

function renderForm(objective = true) {
  const onDone = vi.fn();
  // A page-wide key listener like the dial pad's: it must not hear the form's keys.
  const dialPad = vi.fn();
  document.addEventListener('keydown', dialPad);
  renderWithApp(<AfterCallForm callId={77} clientId={9} clientName="ООО Ромашка" objective={objective} secondsLeft={28.2} onDone={onDone} />);
  return { onDone, dialPad, off: () => document.removeEventListener('keydown', dialPad) };
}

describe('AfterCallForm', () => {
  it('takes one keystroke per outcome: 3 advances, and the dial pad hears nothing', async () => {
    const { onDone, dialPad, off } = renderForm();
    expect(screen.getByText('Чем закончился разговор с «ООО Ромашка»?')).toBeInTheDocument();
    fireEvent.keyDown(document.body, { key: '3', code: 'Digit3' });
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(sent).toEqual([{ url: '/api/v1/calls/77/outcome', method: 'POST', body: { outcome: 'advance' } }]);
    expect(dialPad).not.toHaveBeenCalled();
    off();
  });

  it('2 keeps the client in its stage', async () => {
    const { onDone, off } = renderForm();
    fireEvent.keyDown(document.body, { key: '2', code: 'Digit2' });
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(sent.map((s) => s.body)).toEqual([{ outcome: 'keep' }]);
    off();
  });

  it('Enter takes the default, rejected, with the objective funnel on; the default is marked and counted down', async () => {
    const { onDone, off } = renderForm();
    expect(screen.getByRole('button', { name: /Отказ/ })).toHaveClass('after-call__option--default');
    expect(screen.getByRole('timer')).toHaveTextContent('Через 29 с без ответа клиент уйдёт в отказ.');
    fireEvent.keyDown(document.body, { key: 'Enter', code: 'Enter' });
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(sent.map((s) => s.body)).toEqual([{ outcome: 'rejected' }]);
    off();
  });

  it('Enter keeps the client when the objective funnel is off', async () => {
    const { onDone, off } = renderForm(false);
    expect(screen.getByRole('button', { name: /Оставить на этапе/ })).toHaveClass('after-call__option--default');
    fireEvent.keyDown(document.body, { key: 'Enter', code: 'Enter' });
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(sent.map((s) => s.body)).toEqual([{ outcome: 'keep' }]);
    off();
  });

  it('N asks for the next action date: the client stays in its stage and gets the date', async () => {
    const { onDone, off } = renderForm();
    fireEvent.keyDown(document.body, { key: 'т', code: 'KeyN' }); // the Russian layout's key in N's place
    const input = await screen.findByLabelText('Дата и время следующего действия');
    expect(sent).toEqual([]);
    fireEvent.change(input, { target: { value: '2026-03-03T11:30' } });
    await userEvent.click(screen.getByRole('button', { name: 'Сохранить' }));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(sent).toEqual([
      { url: '/api/v1/calls/77/outcome', method: 'POST', body: { outcome: 'keep' } },
      { url: '/api/v1/clients/9/next-action', method: 'PUT', body: { next_action_at: new Date('2026-03-03T11:30').toISOString() } },
    ]);
    off();
  });

  it('leaves keys typed into another field alone', async () => {
    const { onDone, off } = renderForm();
    const other = document.createElement('input');
    document.body.appendChild(other);
    fireEvent.keyDown(other, { key: '1', code: 'Digit1' });
    expect(sent).toEqual([]);
    expect(onDone).not.toHaveBeenCalled();
    other.remove();
    off();
  });
});
