import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { jsonResponse, renderWithApp } from '../../../test/render';
import { ImportWizard } from './import-wizard';

afterEach(() => {
  vi.unstubAllGlobals();
});

const preview = {
  encoding: 'windows-1251',
  delimiter: ';',
  headers: ['ФИО', 'Тел', 'Почта', 'Комментарий'],
  rows: [['Иван Петров', '8 916 000-00-01', 'ivan@example.com', 'звонить утром']],
  suggested_mapping: { ФИО: 'name', Тел: 'phone', Почта: 'email', Комментарий: '' },
};

const base = {
  id: 42,
  file_name: 'clients.csv',
  mode: 'skip_bad_rows',
  created: 0,
  skipped: 0,
  errors: [],
  message: '',
  created_at: '2026-01-01T00:00:00Z',
  finished_at: null,
};

describe('ImportWizard', () => {
  it('previews, maps, imports with the chosen mode, shows progress, then the error report', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    let polls = 0;
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init: RequestInit) => {
        calls.push({ url, init });
        if (url === '/api/v1/imports/preview') return jsonResponse(200, preview);
        if (url === '/api/v1/imports') return jsonResponse(202, { ...base, status: 'running', total_rows: 3, processed: 1 });
        if (url === '/api/v1/imports/42') {
          polls++;
          return polls < 2
            ? jsonResponse(200, { ...base, status: 'running', total_rows: 3, processed: 2 })
            : jsonResponse(200, {
                ...base,
                status: 'done',
                total_rows: 3,
                processed: 3,
                created: 2,
                skipped: 1,
                errors: [{ line: 3, field: 'email', error: 'Not an e-mail address.', value: 'ivan@' }],
              });
        }
        return jsonResponse(404, { code: 'not_found', error: 'no' });
      }),
    );
    const user = userEvent.setup();
    renderWithApp(<ImportWizard />);

    const file = new File(['ФИО;Тел\n'], 'clients.csv', { type: 'text/csv' });
    await user.upload(screen.getByLabelText('CSV-файл'), file);

    expect(await screen.findByText('windows-1251')).toBeInTheDocument();
    expect(screen.getByText('точка с запятой ( ; )')).toBeInTheDocument();
    // prefilled from suggested_mapping; the user maps the comment column to notes
    expect(screen.getByLabelText('ФИО')).toHaveValue('name');
    expect(screen.getByLabelText('Комментарий')).toHaveValue('');
    await user.selectOptions(screen.getByLabelText('Комментарий'), 'notes');
    await user.click(screen.getByRole('radio', { name: 'Пропускать строки с ошибками' }));
    await user.click(screen.getByRole('button', { name: 'Начать импорт' }));

    const bar = await screen.findByRole('progressbar', { name: 'Ход импорта' });
    expect(bar).toHaveAttribute('aria-valuemax', '3');

    const report = await screen.findByRole('table', { name: 'Ошибки' }, { timeout: 3000 });
    expect(within(report).getByText('Not an e-mail address.')).toBeInTheDocument();
    expect(within(report).getByText('E-mail')).toBeInTheDocument();
    expect(within(report).getByText('ivan@')).toBeInTheDocument();
    expect(screen.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '3');
    expect(screen.getByText('Импорт завершён')).toBeInTheDocument();

    const start = calls.find((c) => c.url === '/api/v1/imports');
    const form = start?.init.body as FormData;
    expect(form.get('mode')).toBe('skip_bad_rows');
    expect(JSON.parse(form.get('mapping') as string)).toEqual({ ФИО: 'name', Тел: 'phone', Почта: 'email', Комментарий: 'notes' });
    expect(form.get('file')).toBeInstanceOf(File);
  });

  it('refuses to start when one field is mapped from two columns', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(200, preview)));
    const user = userEvent.setup();
    renderWithApp(<ImportWizard />, { lng: 'en' });

    await user.upload(screen.getByLabelText('CSV file'), new File(['x'], 'c.csv'));
    await screen.findByText('windows-1251');
    await user.selectOptions(screen.getByLabelText('Почта'), 'name');
    await user.click(screen.getByRole('button', { name: 'Start import' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('The field “Name” is chosen for several columns');
    await waitFor(() => expect(fetch).toHaveBeenCalledTimes(1));
  });
});
