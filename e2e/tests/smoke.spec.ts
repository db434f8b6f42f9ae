import { expect, test } from '@playwright/test';

// The smallest journey: the server answers and a visitor gets the login page.
test('the server is healthy and a visitor sees the login page', async ({ page, request }) => {
  const health = await request.get('/healthz');
  expect(health.status()).toBe(200);

  await page.goto('/');
  // A loose locator on purpose: the login page's labels are still being written.
  await expect(page.locator('input[type=password]')).toBeVisible();
});
