import { clickToCall, expect, test } from '../support/phone-test';
import { pressKeys } from '../support/softphone';

// Issue 3, journey 3: digits typed on the dial pad during a call reach the
// far end as RFC 4733 telephone-events. baresip reports each received event
// over ctrl_tcp (CALL_DTMF_START with the digit) and its log names the RTP
// telephone-event path ("received event: 'X'"), which SIP INFO never takes.
test.use({ locale: 'ru-RU' });

test('DTMF from the dial pad arrives at the far end as RFC 4733 events with the right digits', async ({ agent, customer }) => {
  test.setTimeout(120_000);
  await clickToCall(agent, customer);
  const digits = '19*0#7';
  await pressKeys(agent, digits);

  await expect
    .poll(() => customer.baresip.dtmfReceived(), { message: 'the digits baresip received', timeout: 10_000 })
    .toBe(digits);
  expect(customer.baresip.rfc4733Digits(), 'each digit came as an RTP telephone-event').toBe(digits);
});
