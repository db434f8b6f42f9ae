import { expect, test, type Page } from '@playwright/test';
import { logIn } from '../support/softphone';

// The supervisor's wallboard follows the team live: an agent going
// available shows on it within a second or two, and a move on the agent's
// board changes the funnel's counts, all without a reload.
test.use({ locale: 'ru-RU' });

test('the wallboard shows an agent going available and the funnel changing, live', async ({ browser }) => {
  const supervisorContext = await browser.newContext();
  const agentContext = await browser.newContext();
  const supervisor = await supervisorContext.newPage();
  const agent = await agentContext.newPage();
  await logIn(supervisor, 'supervisor@demo.example');
  await logIn(agent, 'agent3@demo.example');

  await supervisor.goto('/wallboard');
  await expect(supervisor.getByRole('heading', { name: 'Табло', level: 1 })).toBeVisible();
  const tile = supervisor.getByRole('list', { name: 'Агенты', exact: true }).getByRole('listitem', { name: /^Мария Козлова/ });
  await expect(tile).toBeVisible();

  // The agent goes available from the header.
  await agent.getByRole('combobox', { name: 'Статус' }).click();
  await agent.getByRole('option', { name: 'Доступен' }).click();
  await expect(tile).toContainText('Доступен', { timeout: 3_000 });

  // A move on the agent's board changes the won stage's count on the wallboard.
  const funnel = supervisor.getByRole('table', { name: 'Воронка' });
  const wonRow = funnel.getByRole('row', { name: /^Сделка/ });
  const before = Number((await wonRow.getByRole('cell').nth(0).innerText()).replace(/\D/g, ''));
  await agent.goto('/board');
  const card = agent.getByRole('region', { name: 'Новый клиент', exact: true }).getByRole('listitem').first();
  await card.getByRole('button', { name: 'Перевести…' }).click();
  await agent.getByRole('menu', { name: 'Перевести на этап' }).getByRole('menuitem', { name: 'Сделка', exact: true }).click();
  await expect(wonRow.getByRole('cell').nth(0)).toHaveText(new RegExp(`^${before + 1}\\b`), { timeout: 5_000 });

  await supervisorContext.close();
  await agentContext.close();
});
