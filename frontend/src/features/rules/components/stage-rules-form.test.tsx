import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../lib/api-client';
import type { Stage, User } from '../../../lib/types';
import { renderWithApp } from '../../../test/render';
import { StageRulesForm } from './stage-rules-form';

const warm: Stage = {
  id: 4, name: 'Тёплый клиент', position: 4, kind: 'open', cooling_period: 5, cooling_unit: 'working_days', cooling_soon: 0, contact_limit: 7,
  cooling_soon_percent: 80, notify_owner: true, cooled_reassign_to: null, cooled_move_to: null, zombie_action: 'queue',
  handoff_channel: '', handoff_email: '', handoff_webhook: false, client_count: 12, created_at: '',
};
const stages: Stage[] = [{ ...warm, id: 1, name: 'Новый клиент' }, warm, { ...warm, id: 6, name: 'Отказ', kind: 'rejected' }];
const users: User[] = [
  { id: 2, org_id: 1, email: 'boss@demo.example', name: 'Елена Васильева', role: 'supervisor', locale: 'ru', time_zone: 'Europe/Moscow', active: true, created_at: '' },
];

function renderForm(onSubmit = vi.fn(async () => undefined)) {
  renderWithApp(<StageRulesForm stage={warm} stages={stages} users={users} onSubmit={onSubmit} />);
  return onSubmit;
}

describe('StageRulesForm', () => {
  it('sends the stage\'s rules: period, unit, share, cooled actions and the zombie action', async () => {
    const onSubmit = renderForm();
    const period = screen.getByLabelText('Период остывания');
    await userEvent.clear(period);
    await userEvent.type(period, '3');
    await userEvent.selectOptions(screen.getByLabelText('Единица'), 'рабочие часы');
    await userEvent.selectOptions(screen.getByLabelText('Передать сотруднику'), 'Елена Васильева');
    await userEvent.selectOptions(screen.getByLabelText('Перевести на этап'), 'Отказ');
    await userEvent.selectOptions(screen.getByLabelText('Что делать с зомби'), 'Передать в другой канал');
    await userEvent.type(screen.getByLabelText('Канал передачи'), 'E-mail-рассылка');
    await userEvent.click(screen.getByRole('button', { name: 'Сохранить правила' }));
    expect(onSubmit).toHaveBeenCalledWith({
      cooling_period: 3, cooling_unit: 'hours', cooling_soon: 0, cooling_soon_percent: 80, notify_owner: true,
      cooled_reassign_to: 2, cooled_move_to: 6, contact_limit: 7, zombie_action: 'handoff',
      handoff_channel: 'E-mail-рассылка', handoff_email: '', handoff_webhook: false,
    });
  });

  it('shows its own checks by the fields at fault and sends nothing', async () => {
    const onSubmit = renderForm();
    const percent = screen.getByLabelText(/Скоро остынет/);
    await userEvent.clear(percent);
    await userEvent.type(percent, '120');
    await userEvent.clear(screen.getByLabelText('Лимит контактов без движения'));
    await userEvent.type(screen.getByLabelText('Лимит контактов без движения'), '2.5');
    await userEvent.selectOptions(screen.getByLabelText('Что делать с зомби'), 'Передать в другой канал');
    await userEvent.click(screen.getByRole('button', { name: 'Сохранить правила' }));
    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getByLabelText(/Скоро остынет/)).toHaveAccessibleDescription(/Целое число от 1 до 100\./);
    expect(screen.getByLabelText('Лимит контактов без движения')).toHaveAccessibleDescription(/Целое число от 0 до 1000\./);
    expect(screen.getByLabelText('Канал передачи')).toHaveAccessibleDescription(/Укажите канал, адрес или вебхук\./);
  });

  it('shows the server\'s error by the field it names', async () => {
    const onSubmit = vi.fn(async () => {
      throw new ApiError(400, 'invalid', 'User 2 is not an active user of your organisation.', 'cooled_reassign_to');
    });
    renderForm(onSubmit);
    await userEvent.selectOptions(screen.getByLabelText('Передать сотруднику'), 'Елена Васильева');
    await userEvent.click(screen.getByRole('button', { name: 'Сохранить правила' }));
    await waitFor(() =>
      expect(screen.getByLabelText('Передать сотруднику')).toHaveAccessibleDescription('User 2 is not an active user of your organisation.'),
    );
    expect(screen.getByLabelText('Передать сотруднику')).toHaveAttribute('aria-invalid', 'true');
  });
});
