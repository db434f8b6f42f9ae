// Driving the SPA's softphone by its test ids (the contract with
// frontend/src/features/softphone).
import { expect, type Locator, type Page } from '@playwright/test';
import { DEMO_PASSWORD } from './warmline-api';

export type CallState = 'ringing' | 'dialing' | 'early' | 'active' | 'ended';

/** logIn signs in through the login page, in Russian like the other specs. */
export async function logIn(page: Page, email: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Пароль').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Войти' }).click();
  // Agents land on My day, the others on the client list.
  await expect(page).toHaveURL(/\/(clients|my-day)$/);
  // The language is the user's saved one: make it Russian, as the specs read.
  await page.getByRole('combobox', { name: 'Язык / Language' }).selectOption('ru');
}

export function softphone(page: Page): Locator {
  return page.getByTestId('softphone');
}

export function activeCall(page: Page): Locator {
  return page.getByTestId('active-call');
}

/** turnOn switches the softphone on and waits for its media leg to be ready. */
export async function turnOn(page: Page): Promise<void> {
  const panel = softphone(page);
  await expect(panel).toBeVisible();
  if ((await panel.getAttribute('data-state')) === 'off') await page.getByTestId('softphone-toggle').click();
  await expect(panel, 'the softphone should connect its media leg').toHaveAttribute('data-state', 'ready', { timeout: 20_000 });
  // The dock's body (current call, dial pad) shows only when it is expanded
  // (a fresh browser starts expanded; the button exists once it is on).
  const expand = panel.locator('.softphone__bar button[aria-expanded="false"]');
  if (await expand.count()) await expand.click();
}

/**
 * turnOff switches it off, so the browser closes its PeerConnection before
 * the page goes (the gateway would otherwise wait for ICE to time out).
 */
export async function turnOff(page: Page): Promise<void> {
  const panel = softphone(page);
  if (!(await panel.count())) return;
  const state = await panel.getAttribute('data-state');
  if (state && state !== 'off') {
    await page.getByTestId('softphone-toggle').click();
    await expect(panel).toHaveAttribute('data-state', 'off', { timeout: 5_000 });
  }
}

/**
 * expectCallState waits for the current call to reach state. An ended call
 * stays on the panel for about 5 s only: wait for "ended" at once.
 */
export async function expectCallState(page: Page, state: CallState, timeout = 15_000): Promise<void> {
  await expect(activeCall(page), `the softphone's call should be ${state}`).toHaveAttribute('data-call-state', state, { timeout });
}

/** answer picks up the call ringing on the softphone (the incoming pop-up's Answer). */
export async function answer(page: Page): Promise<void> {
  const popup = page.getByTestId('incoming-call');
  await expect(popup).toBeVisible({ timeout: 15_000 });
  await popup.getByTestId('incoming-answer').click();
}

const keyIds: Record<string, string> = { '*': 'star', '#': 'hash' };

/** pressKeys clicks dial pad keys one by one (DTMF during a call). */
export async function pressKeys(page: Page, digits: string): Promise<void> {
  for (const d of digits) {
    await page.getByTestId(`dialpad-key-${keyIds[d] ?? d}`).click();
    // Distinct key presses, as a person makes them: each digit is its own
    // telephone-event, not one merged into the previous.
    await page.waitForTimeout(250);
  }
}
