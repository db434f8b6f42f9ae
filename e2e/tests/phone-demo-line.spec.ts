import { expect, test } from '../support/phone-test';
import { listen } from '../support/page-audio';
import { activeCall, answer, expectCallState, turnOff, turnOn } from '../support/softphone';
import { AGENT_TONE_HZ } from '../support/tones';
import { randomDigits } from '../support/warmline-api';

// Issue 3, "done when": on a fresh install with no SIP provider, a newcomer
// calls a client and hears real audio through the whole path — the built-in
// demo line answers, plays its tone sequence (440 Hz, pause, 660 Hz, pause)
// and echoes the agent a second late; and the demo button places an
// inbound call that rings the softphone.
test.use({ locale: 'ru-RU' });

/** near counts the readings within 10 Hz of hz. */
function near(readings: (number | null)[], hz: number): number {
  return readings.filter((r) => r !== null && Math.abs(r - hz) <= 10).length;
}

test('an organisation without a trunk calls out and takes a call through the demo line, with audio both ways', async ({ page }) => {
  test.setTimeout(120_000);
  // A new organisation: it has no trunk, so its calls go to the demo line.
  const stamp = randomDigits(6);
  await page.goto('/signup');
  await page.getByLabel('Название организации').fill(`ООО «Демо ${stamp}»`);
  await page.getByLabel('Ваше имя').fill('Ольга Миронова');
  await page.getByLabel('E-mail').fill(`demo-line-${stamp}@example.com`);
  await page.getByLabel('Пароль').fill('надёжный пароль 2026');
  await page.getByRole('button', { name: 'Зарегистрироваться' }).click();
  await expect(page).toHaveURL(/\/clients$/);
  const origin = new URL(page.url()).origin;
  const res = await page.request.post('/api/v1/clients', {
    data: { name: `Клиент демо ${stamp}`, phones: [`+7916${randomDigits(7)}`] },
    headers: { Origin: origin },
  });
  expect(res.status(), await res.text()).toBe(201);
  const client = (await res.json()) as { id: number };
  // A short after-call time, so that the test sees both sides of it.
  const wrap = await page.request.patch('/api/v1/organisation', { data: { wrap_up_seconds: 3 }, headers: { Origin: origin } });
  expect(wrap.status(), await wrap.text()).toBe(200);

  try {
    await turnOn(page);
    await expect(page.getByTestId('demo-call-in'), 'demo mode shows the call-in button').toBeVisible();

    // Click-to-call: the softphone rings first, the agent picks up, the demo
    // line rings for a moment and answers.
    await page.goto(`/clients/${client.id}`);
    await page.getByTestId('client-call-button').click();
    await expectCallState(page, 'ringing');
    await answer(page);
    await expectCallState(page, 'active', 20_000);

    // Six seconds cover the tone sequence at least once, and the echo of
    // the agent's 1 kHz microphone comes back through the pauses.
    const audio = await listen(page, 6);
    const figures = `readings: ${audio.readings.map((r) => (r === null ? '-' : r)).join(' ')}; peak ${audio.peakDb.toFixed(1)} dB`;
    await test.info().attach('demo line audio', { body: figures, contentType: 'text/plain' });
    expect(audio.attached, 'the remote audio element stayed attached').toBe(true);
    expect(near(audio.readings, 440), `the demo line's 440 Hz tone is heard: ${figures}`).toBeGreaterThanOrEqual(2);
    expect(near(audio.readings, 660), `the demo line's 660 Hz tone is heard: ${figures}`).toBeGreaterThanOrEqual(2);
    expect(near(audio.readings, AGENT_TONE_HZ), `the agent's own 1 kHz comes back as the echo: ${figures}`).toBeGreaterThanOrEqual(2);

    await page.getByTestId('call-hangup').click();
    await expectCallState(page, 'ended');

    // Called during the after-call time, nobody can take it: a missed
    // call, shown at once with its reason and a call-back button.
    await page.getByTestId('demo-call-in').click();
    const missed = page.getByTestId('missed-call-alert');
    await expect(missed, 'a call during wrap-up is missed and shown').toBeVisible({ timeout: 15_000 });
    await expect(missed).toContainText('все менеджеры были заняты');
    await expect(missed.getByRole('button', { name: 'Перезвонить' })).toBeVisible();

    // After it, the demo button's call rings the softphone.
    await page.waitForTimeout(3_500);
    await page.getByTestId('demo-call-in').click();
    const popup = page.getByTestId('incoming-call');
    await expect(popup, 'the demo call-in rings the softphone').toBeVisible({ timeout: 15_000 });
    await popup.getByTestId('incoming-answer').click();
    await expectCallState(page, 'active', 15_000);
    const inbound = await listen(page, 6);
    const inFigures = inbound.readings.map((r) => (r === null ? '-' : r)).join(' ');
    expect(near(inbound.readings, 440) + near(inbound.readings, 660), `the inbound demo call carries audio: ${inFigures}`).toBeGreaterThanOrEqual(3);
    const id = await activeCall(page).getAttribute('data-call-id');
    await page.getByTestId('call-hangup').click();
    await expectCallState(page, 'ended');

    const calls = await page.request.get(`/api/v1/calls?client_id=${client.id}`);
    const items = ((await calls.json()) as { items: { direction: string; outcome: string | null; answered_at: string | null }[] }).items;
    expect(items.some((c) => c.direction === 'outbound' && c.answered_at), 'the outbound demo call is on the client record').toBe(true);
    expect(id).toBeTruthy();
  } finally {
    await turnOff(page).catch(() => undefined);
  }
});
