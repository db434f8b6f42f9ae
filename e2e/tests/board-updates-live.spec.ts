import { expect, test, type Page } from '@playwright/test';
import { logIn } from '../support/softphone';

// Live updates: what an agent does on the funnel board appears on the
// supervisor's board without a reload, and a supervisor whose network was
// cut for a while gets every change made meanwhile once it is back.
test.use({ locale: 'ru-RU' });

/** logIn signs in and opens the funnel board. */
async function logInToBoard(page: Page, email: string) {
  await logIn(page, email);
  await page.goto('/board');
}

/** moveFirst moves the first card of a column with the card's "Перевести…" menu and returns its name. */
async function moveFirst(page: Page, from: string, to: string): Promise<string> {
  const card = page.getByRole('region', { name: from, exact: true }).getByRole('listitem').first();
  const name = (await card.getAttribute('aria-label')) ?? (await card.innerText()).split('\n')[0]!;
  await card.getByRole('button', { name: 'Перевести…' }).click();
  await page.getByRole('menu', { name: 'Перевести на этап' }).getByRole('menuitem', { name: to, exact: true }).click();
  await expect(page.getByRole('region', { name: to, exact: true }).getByRole('listitem', { name, exact: true })).toBeVisible();
  return name;
}

test('an agent\'s moves reach the supervisor\'s board live, and after a network cut nothing is missed', async ({ browser }) => {
  const supervisorContext = await browser.newContext();
  const agentContext = await browser.newContext();
  const supervisor = await supervisorContext.newPage();
  const agent = await agentContext.newPage();
  await logInToBoard(supervisor, 'supervisor@demo.example');
  await logInToBoard(agent, 'agent2@demo.example');

  // Columns show their 50 longest-waiting cards; the demo's 'Тёплый клиент' and
  // 'Сделка' hold fewer, so a card moved there is on screen.
  const first = await moveFirst(agent, 'Новый клиент', 'Тёплый клиент');
  await expect(
    supervisor.getByRole('region', { name: 'Тёплый клиент', exact: true }).getByRole('listitem', { name: first, exact: true }),
  ).toBeVisible({ timeout: 5_000 });

  await supervisorContext.setOffline(true);
  const moved: string[] = [];
  for (let i = 0; i < 3; i++) moved.push(await moveFirst(agent, 'Новый клиент', 'Сделка'));
  // Cut off, the supervisor's board has none of them yet, well after a live
  // update would have arrived (the first one took well under a second).
  await supervisor.waitForTimeout(1500);
  const won = supervisor.getByRole('region', { name: 'Сделка', exact: true });
  for (const name of moved) await expect(won.getByRole('listitem', { name, exact: true })).toHaveCount(0);
  await supervisorContext.setOffline(false);

    for (const name of moved) {
    await expect(won.getByRole('listitem', { name, exact: true })).toBeVisible({ timeout: 30_000 });
  }
  await supervisorContext.close();
  await agentContext.close();
});

// A page loads its data over REST and then opens its live stream; a change
// committed in between must still reach it. The supervisor's stream is held
// back (the socket stays connecting) until after the agent's move, which
// the supervisor's already loaded board cannot show unless the stream starts
// from the session's last event rather than from "now".
test('a change made while the supervisor\'s page was still connecting reaches the board', async ({ browser }) => {
  const supervisorContext = await browser.newContext();
  const agentContext = await browser.newContext();
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let connects = 0;
  await supervisorContext.routeWebSocket(/\/ws(\?|$)/, async (ws) => {
    await held;
    connects++;
    ws.connectToServer();
  });
  const supervisor = await supervisorContext.newPage();
  const agent = await agentContext.newPage();
  await logInToBoard(supervisor, 'supervisor@demo.example');
  await logInToBoard(agent, 'agent2@demo.example');
  const deals = supervisor.getByRole('region', { name: 'Сделка', exact: true });
  await expect(deals.getByRole('listitem').first()).toBeVisible();

  const name = await moveFirst(agent, 'Новый клиент', 'Сделка');
  await supervisor.waitForTimeout(500);
  await expect(deals.getByRole('listitem', { name, exact: true })).toHaveCount(0);
  release();
  await expect(deals.getByRole('listitem', { name, exact: true })).toBeVisible({ timeout: 10_000 });
  expect(connects).toBeGreaterThan(0);
  await supervisorContext.close();
  await agentContext.close();
});
