import { expect, test } from '@playwright/test';

// Tenancy from the browser: a client of one organisation is invisible to an
// agent of another, by search and by its direct address. On the way, the
// agent switches the interface from Russian to English.
test.use({ locale: 'en-US' });

test('an agent of another organisation cannot find or open our clients', async ({ page, playwright, baseURL }) => {
  const stamp = Date.now();
  // Organisation A, made through the API as its browser would.
  const api = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { Origin: baseURL! } });
  const signup = await api.post('/api/v1/auth/signup', {
    data: { org_name: `Tenant A ${stamp}`, name: 'Owner A', email: `owner-${stamp}@tenant-a.example`, password: 'a long password here' },
  });
  expect(signup.status()).toBe(201);
  const created = await api.post('/api/v1/clients', {
    data: { name: `Hidden Client ${stamp}`, company: 'Confidential Ltd', phones: ['+44 20 7946 0123'] },
  });
  expect(created.status()).toBe(201);
  const { id } = await created.json();
  await api.dispose();

  // An agent of the demo organisation logs in.
  await page.goto('/login');
  await page.getByLabel('E-mail').fill('agent1@demo.example');
  await page.getByLabel('Password').fill('warmline-demo');
  await page.getByRole('button', { name: 'Log in' }).click();
  // An agent's home is My day; the client list is one click away.
  await expect(page).toHaveURL(/\/my-day$/);
  await page.goto('/clients');
  // The switch in the header changes the language at once (and saves it for the user).
  const language = page.getByRole('combobox', { name: 'Язык / Language' });
  await language.selectOption('ru');
  await expect(page.getByRole('heading', { name: 'Клиенты' })).toBeVisible();
  await language.selectOption('en');
  await expect(page.getByRole('heading', { name: 'Clients' })).toBeVisible();
  const table = page.getByRole('table', { name: 'Client list' });
  await expect(table.getByRole('row').nth(1)).toBeVisible(); // the demo's own clients are there

  for (const q of [`Hidden Client ${stamp}`, 'Confidential', '020 7946 0123']) {
    await page.getByRole('searchbox', { name: 'Search' }).fill(q);
    await expect(page.getByText('Nobody matches. Change the search or reset the filters.')).toBeVisible();
    await expect(table.getByRole('row', { name: /Hidden Client|Confidential/ })).toHaveCount(0);
  }

  await page.goto(`/clients/${id}`);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await expect(page.getByText(`Hidden Client ${stamp}`)).toHaveCount(0);
});
