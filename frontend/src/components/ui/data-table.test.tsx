import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../lib/api-client';
import { renderWithApp } from '../../test/render';
import { DataTable, ListState, RowActions } from './data-table';

function List({ items, error, onEdit, onDelete }: { items?: string[] | null; error?: unknown; onEdit?: () => void; onDelete?: () => void }) {
  return (
    <ListState items={items} error={error} empty="Пусто.">
      <DataTable aria-label="Список" columns={['Имя', { label: 'Число', className: 'num' }]} actions>
        {items?.map((name) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            <td className="num">1</td>
            <RowActions onEdit={onEdit} onDelete={onDelete} deleteLabel={`Удалить ${name}`} deleteDisabled={name === 'занят'}>
              <button type="button">Своё</button>
            </RowActions>
          </tr>
        ))}
      </DataTable>
    </ListState>
  );
}

describe('ListState and DataTable', () => {
  it('says the list is loading, then why it failed, then that it is empty', () => {
    const { rerender } = renderWithApp(<List items={undefined} />);
    expect(screen.getByRole('status')).toHaveTextContent('Загрузка…');
    rerender(<List items={null} error={new ApiError(0, 'network', 'offline')} />);
    expect(screen.getByRole('alert')).toHaveTextContent('Нет связи с сервером.');
    rerender(<List items={[]} />);
    expect(screen.getByText('Пусто.')).toHaveClass('muted');
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('shows the rows under their headings with a hidden "Actions" heading, own actions before edit and delete', async () => {
    const onEdit = vi.fn();
    const onDelete = vi.fn();
    renderWithApp(<List items={['Анна', 'занят']} onEdit={onEdit} onDelete={onDelete} />);
    const table = screen.getByRole('table', { name: 'Список' });
    const headings = within(table).getAllByRole('columnheader');
    expect(headings.map((h) => h.textContent)).toEqual(['Имя', 'Число', 'Действия']);
    expect(headings[1]).toHaveClass('num');
    expect(headings[2]!.firstElementChild).toHaveClass('visually-hidden');

    const row = within(table).getByRole('row', { name: /Анна/ });
    expect(within(row).getAllByRole('button').map((b) => b.textContent)).toEqual(['Своё', 'Изменить', 'Удалить']);
    await userEvent.click(within(row).getByRole('button', { name: 'Изменить' }));
    await userEvent.click(within(row).getByRole('button', { name: 'Удалить Анна' }));
    expect(onEdit).toHaveBeenCalledOnce();
    expect(onDelete).toHaveBeenCalledOnce();
    expect(screen.getByRole('button', { name: 'Удалить занят' })).toBeDisabled();
  });
});
