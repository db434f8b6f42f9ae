import { expect, test } from '@playwright/test';

// The foundation's journey, in Russian as our users see it: a sales manager
// signs up, adds a funnel stage, imports a CSV with one bad row (and sees the
// report), finds an imported client by a phone typed differently, drags it
// on the funnel board, and sees the move in its stage history.
test.use({ locale: 'ru-RU' });

test('a new organisation sets up its funnel, imports clients and works them on the board', async ({ page }) => {
  const stamp = Date.now();
  const email = `manager-${stamp}@journey.example`;

  // Sign up.
  await page.goto('/signup');
  await page.getByLabel('Название организации').fill(`ООО «Путь ${stamp}»`);
  await page.getByLabel('Ваше имя').fill('Ольга Миронова');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Пароль').fill('надёжный пароль 2026');
  await page.getByRole('button', { name: 'Зарегистрироваться' }).click();
  await expect(page).toHaveURL(/\/clients$/);

  // Add a stage with a cooling period and a contact limit.
  await page.goto('/settings/stages');
  await page.getByRole('button', { name: 'Добавить этап' }).first().click();
  await page.getByLabel('Название').fill('Счёт выставлен');
  await page.getByLabel('Период остывания').fill('2');
  await page.getByLabel('Лимит контактов').fill('5');
  await page.getByRole('button', { name: 'Добавить этап' }).last().click();
  await expect(page.getByText('Этап «Счёт выставлен» добавлен.')).toBeVisible();

  // Import a semicolon-separated CSV, one line of which has a bad phone.
  const csv = [
    'ФИО;Компания;Телефон;Источник',
    `Светлана Орлова;ООО «Север ${stamp}»;+7 916 ${String(stamp).slice(-3)}-45-67;Сайт`,
    'Игорь Белов;АО «Юг»;не телефон;Выставка',
    'Peter Hall;Hall & Sons;+44 20 7946 0958;Referral',
  ].join('\n');
  await page.getByRole('link', { name: 'Импорт' }).click();
  await page.getByLabel('CSV-файл').setInputFiles({ name: 'clients.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf-8') });
  await page.getByLabel('Пропускать строки с ошибками').check();
  await page.getByRole('button', { name: 'Начать импорт' }).click();
  const report = page.getByRole('table', { name: 'Ошибки' });
  await expect(report).toBeVisible({ timeout: 30_000 });
  await expect(report.getByRole('row')).toHaveCount(2); // header + line 3
  await expect(report.getByRole('row').nth(1)).toContainText('3');
  await expect(report.getByRole('row').nth(1)).toContainText('не телефон');

  // Find Svetlana by her number typed the Russian national way.
  await page.getByRole('link', { name: 'Клиенты' }).click();
  await page.getByRole('searchbox', { name: 'Поиск' }).fill(`8 (916) ${String(stamp).slice(-3)}-4567`);
  const table = page.getByRole('table', { name: 'Список клиентов' });
  await expect(table.getByRole('row')).toHaveCount(2);
  await expect(table).toContainText('Светлана Орлова');

  // Drag her card from the first stage to "Демо" on the board.
  await page.getByRole('link', { name: 'Воронка' }).click();
  const card = page.getByRole('listitem', { name: 'Светлана Орлова' });
  const demo = page.getByRole('region', { name: 'Демо', exact: true });
  await expect(card).toBeVisible();
  await card.dragTo(demo, { steps: 10 });
  await expect(demo.getByRole('listitem', { name: 'Светлана Орлова' })).toBeVisible();

  // The move survives a reload (it reached the server) and shows in the history.
  await page.reload();
  await expect(page.getByRole('region', { name: 'Демо', exact: true }).getByRole('listitem', { name: 'Светлана Орлова' })).toBeVisible();
  await page.getByRole('region', { name: 'Демо', exact: true }).getByRole('link', { name: 'Открыть карточку клиента' }).first().click();
  const history = page.getByRole('list', { name: 'История этапов' });
  await expect(history.getByRole('listitem')).toHaveCount(2);
  const move = history.getByRole('listitem').filter({ hasText: 'Демо' });
  await expect(move).toHaveCount(1);
  await expect(move).toContainText('Ольга Миронова');
});
