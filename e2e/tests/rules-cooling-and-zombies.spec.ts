import { expect, test, type Browser, type Page } from '@playwright/test';
import { DEMO_ADMIN, WarmlineApi, type Client, type User } from '../support/warmline-api';

// The rules engine's journey (issue 5), in Russian as our users see it: an
// admin shortens a stage's cooling period in Settings → Rules; a client of
// that stage whose last touch is older than the new period cools at once
// (changing a period re-evaluates the stage, no sweep to wait for); the
// agent's My day, open meanwhile, shows that client first with the reason
// and its numbers; a supervisor rejects a zombie in one click and it leaves
// the queue.
test.use({ locale: 'ru-RU' });

const AGENT_PASSWORD = 'остывание-2026-e2e';

interface Stage {
  id: number;
  name: string;
  kind: 'open' | 'won' | 'rejected';
  cooling_period: number;
  cooling_unit: 'working_days' | 'hours';
  contact_limit: number;
  zombie_action?: string;
}

interface WorkItem {
  id: number;
  kind: string;
  client_id: number;
  closed_at: string | null;
  decision: string | null;
}

async function logIn(browser: Browser, email: string, password: string, home: RegExp): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto('/login');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Пароль').fill(password);
  await page.getByRole('button', { name: 'Войти' }).click();
  await expect(page).toHaveURL(home);
  await page.getByRole('combobox', { name: 'Язык / Language' }).selectOption('ru');
  return page;
}

test('an admin sets a cooling period, the cooled client comes first on the agent\'s day, and a supervisor rejects a zombie in one click', async ({
  browser,
  baseURL,
}) => {
  const stamp = Date.now();
  const admin = await WarmlineApi.login(baseURL!, DEMO_ADMIN);
  const stages = (await admin.send<{ items: Stage[] }>('GET', '/api/v1/stages')).items;

  // A demo client about to cool in a stage counted in working days: at least
  // 80 % of a period of 2 or more working days has passed since its last
  // touch, so a period of 1 working day is already over for it.
  const eligible = stages.filter((s) => s.kind === 'open' && s.cooling_unit === 'working_days' && s.cooling_period >= 2);
  const soon = (await admin.send<{ items: Client[] }>('GET', '/api/v1/clients?cooling=soon&per_page=200')).items as (Client & {
    stage_id: number;
  })[];
  // Not one an earlier run of this spec took: its cooling-soon episode is spent.
  const users = (await admin.send<{ items: User[] }>('GET', '/api/v1/users')).items;
  const ours = new Set(users.filter((u) => u.email.startsWith('rules-')).map((u) => u.id));
  const target = soon.find((c) => eligible.some((s) => s.id === c.stage_id) && !ours.has((c as { owner_id?: number }).owner_id ?? 0));
  expect(target, 'the demo data has a client cooling soon in a stage of 2+ working days').toBeDefined();
  const stage = eligible.find((s) => s.id === target!.stage_id)!;

  // A fresh agent of the demo organisation: the day holds only this spec's clients.
  const agent = await admin.send<User>('POST', '/api/v1/users', {
    email: `rules-${stamp}@demo.example`,
    name: `Ирина Правилова ${stamp % 10000}`,
    role: 'agent',
    password: AGENT_PASSWORD,
    locale: 'ru',
  });
  await admin.send('PATCH', `/api/v1/clients/${target!.id}`, { owner_id: agent.id });
  const fresh = await admin.createClient(`Новичок ${stamp}`, `+7916${String(stamp).slice(-7)}`, agent.id);
  const zombieStage = stages.find((s) => s.kind === 'open' && s.id !== stage.id && s.contact_limit > 0 && (s.zombie_action ?? 'queue') === 'queue')!;
  const zombie = await admin.send<Client>('POST', '/api/v1/clients', {
    name: `Вечно занятой ${stamp}`,
    phones: [`+7917${String(stamp).slice(-7)}`],
    owner_id: agent.id,
    stage_id: zombieStage.id,
  });

  try {
    const agentPage = await logIn(browser, `rules-${stamp}@demo.example`, AGENT_PASSWORD, /\/my-day$/);
    const day = agentPage.getByRole('list', { name: 'Клиенты на сегодня' });
    // Not cooled yet, it comes before the two new clients: cooling soon (or,
    // when an earlier run of this spec on the same server spent that
    // episode, in progress).
    await expect(day.getByRole('listitem')).toHaveCount(3);
    await expect(day.getByRole('listitem').first()).toHaveAttribute('aria-label', target!.name);
    await expect(day.getByRole('listitem').first()).toHaveAttribute('data-section', /^(cooling_soon|in_progress)$/);
    await expect(day.getByRole('listitem', { name: fresh.name })).toHaveAttribute('data-section', 'new');

    // The admin sets the stage's cooling period to 1 working day in Settings → Rules.
    const adminPage = await logIn(browser, DEMO_ADMIN, 'warmline-demo', /\/clients$/);
    await adminPage.goto('/settings/rules');
    await adminPage.locator('summary', { hasText: stage.name }).click();
    const form = adminPage.getByRole('form', { name: `Правила этапа «${stage.name}»` });
    await form.getByLabel('Период остывания').fill('1');
    await form.getByLabel('Единица').selectOption('working_days');
    await form.getByRole('button', { name: 'Сохранить правила' }).click();
    await expect(adminPage.getByText(`Правила этапа «${stage.name}» сохранены.`)).toBeVisible();

    // The client has cooled: first on the agent's day (live, no reload), with the reason and its numbers.
    const first = day.getByRole('listitem').first();
    await expect(first).toHaveAttribute('data-section', 'cooled', { timeout: 10_000 });
    await expect(first).toHaveAttribute('aria-label', target!.name);
    await expect(first.getByTestId('my-day-reason')).toHaveText(
      new RegExp(`^остыл: \\d+ рабоч(ий день|их дня|их дней) в «${stage.name}», лимит 1$`),
    );
    await expect(first.getByRole('button', { name: 'Позвонить' })).toBeVisible();
    await agentPage.reload();
    await expect(day.getByRole('listitem').first()).toHaveAttribute('aria-label', target!.name);

    // The zombie: as many contacts in its stage as the limit, without progress.
    for (let i = 0; i < zombieStage.contact_limit; i++) {
      await admin.send('POST', `/api/v1/clients/${zombie.id}/contacts`, { kind: 'message', note: `«Перезвоните завтра» №${i + 1}` });
    }

    // A supervisor decides it in one click in the zombies queue; it leaves the queue.
    const supervisorPage = await logIn(browser, 'supervisor@demo.example', 'warmline-demo', /\/clients$/);
    await supervisorPage.getByRole('link', { name: 'Очереди' }).click();
    await supervisorPage.getByRole('tab', { name: /Зомби — на решение/ }).click();
    await supervisorPage.getByLabel('Ответственный').selectOption({ label: agent.name });
    const queue = supervisorPage.getByRole('table', { name: 'Зомби — на решение' });
    const row = queue.getByRole('row', { name: zombie.name });
    await expect(row).toContainText(`лимит ${zombieStage.contact_limit}`);
    await row.getByRole('button', { name: `Отказ: ${zombie.name}` }).click();
    await expect(row).toHaveCount(0);
    await expect(supervisorPage.getByText(`«${zombie.name}» переведён в отказ.`)).toBeVisible();

    const closed = await admin.send<{ items: WorkItem[] }>('GET', `/api/v1/work-items?kind=zombie&open=false&owner_id=${agent.id}`);
    expect(closed.items.find((w) => w.client_id === zombie.id)).toMatchObject({ decision: 'reject' });
    const rejected = stages.find((s) => s.kind === 'rejected')!;
    expect((await admin.send<Client & { stage_id: number }>('GET', `/api/v1/clients/${zombie.id}`)).stage_id).toBe(rejected.id);
  } finally {
    // The demo stage gets its period back, and the spec's agent leaves the wallboard, for the specs after this one.
    await admin.send('PATCH', `/api/v1/stages/${stage.id}`, { cooling_period: stage.cooling_period, cooling_unit: stage.cooling_unit });
    await admin.send('DELETE', `/api/v1/users/${agent.id}`);
    await admin.dispose();
  }
});
