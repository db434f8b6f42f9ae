import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState, type FormEvent } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../lib/api-client';
import { useFormErrors } from '../../lib/use-form-errors';
import { renderWithApp } from '../../test/render';
import { ErrorAlert } from './error-alert';
import { FormActions } from './form-actions';
import { CheckboxField } from './form-field';

const FIELDS = ['enabled'] as const;

/** Demo is the smallest form built the way the settings forms are: a checkbox, run and FormActions. */
function Demo({ send, onCancel }: { send: (enabled: boolean) => Promise<void>; onCancel?: () => void }) {
  const [enabled, setEnabled] = useState(true);
  const { fieldErrors, formError, pending, run } = useFormErrors(FIELDS);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await run(() => send(enabled));
  };
  return (
    <form onSubmit={submit} aria-label="demo">
      <ErrorAlert error={formError} />
      <CheckboxField label="Включена" hint="Выключенная не работает." checked={enabled} onChange={setEnabled} error={fieldErrors.enabled} />
      <FormActions pending={pending} onCancel={onCancel}>
        <span role="status">после кнопок</span>
      </FormActions>
    </form>
  );
}

describe('FormActions with useFormErrors.run', () => {
  it('says "saving" and turns both buttons off while the form is sent, then back on', async () => {
    let finish: () => void = () => undefined;
    const send = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const onCancel = vi.fn();
    renderWithApp(<Demo send={send} onCancel={onCancel} />);
    expect(screen.getByRole('status')).toHaveTextContent('после кнопок');

    await userEvent.click(screen.getByRole('button', { name: 'Сохранить' }));
    expect(send).toHaveBeenCalledWith(true);
    expect(screen.getByRole('button', { name: 'Сохраняем…' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Отмена' })).toBeDisabled();

    finish();
    await waitFor(() => expect(screen.getByRole('button', { name: 'Сохранить' })).toBeEnabled());
    await userEvent.click(screen.getByRole('button', { name: 'Отмена' }));
    expect(onCancel).toHaveBeenCalledOnce();
  });

  it('shows no cancel button without onCancel', () => {
    renderWithApp(<Demo send={async () => undefined} />);
    expect(screen.queryByRole('button', { name: 'Отмена' })).not.toBeInTheDocument();
  });

  it('puts an error that names a field under that field and any other above the form', async () => {
    const send = vi
      .fn<(enabled: boolean) => Promise<void>>()
      .mockRejectedValueOnce(new ApiError(400, 'invalid', 'Нельзя выключить.', 'enabled'))
      .mockRejectedValueOnce(new ApiError(500, 'internal', 'Сломалось.'));
    renderWithApp(<Demo send={send} />);
    const box = screen.getByRole('checkbox', { name: 'Включена' });
    expect(box).toHaveAccessibleDescription('Выключенная не работает.');

    await userEvent.click(box);
    await userEvent.click(screen.getByRole('button', { name: 'Сохранить' }));
    expect(send).toHaveBeenLastCalledWith(false);
    const fieldError = await screen.findByText('Нельзя выключить.');
    expect(fieldError.closest('.field')).toHaveClass('field--invalid');
    expect(fieldError.closest('.field')).toContainElement(box);

    await userEvent.click(screen.getByRole('button', { name: 'Сохранить' }));
    await waitFor(() => expect(screen.queryByText('Нельзя выключить.')).not.toBeInTheDocument());
    expect(screen.getByRole('button', { name: 'Сохранить' })).toBeEnabled();
    expect(screen.getByRole('alert')).toHaveTextContent('Ошибка на сервере. Попробуйте ещё раз чуть позже.');
  });
});
